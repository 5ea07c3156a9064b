from setuptools import find_packages, setup

setup(
    name="notify",
    version="0.9.2",
    packages=find_packages(exclude=["tests"]),
    python_requires=">=3.9",
)
