# The fixture projects and their tests are data for tests/integration, not
# tests of testgap: `pytest tests` must not collect them.
collect_ignore = ["projects"]
