import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { binaryName, findServer, isExecutableFile, type LookupContext } from '../src/serverPath';

/** A lookup over an imaginary file system holding `executables`. */
function context(executables: string[], overrides: Partial<LookupContext> = {}): LookupContext {
  const present = new Set(executables);
  return {
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    extensionDir: '/ext',
    homedir: '/home/ada',
    isExecutable: (file) => present.has(file),
    ...overrides,
  };
}

describe('finding the server', () => {
  it('prefers testgap.path over the bundled binary and PATH', () => {
    const all = ['/opt/testgap/testgap', '/ext/bin/testgap', '/usr/bin/testgap'];
    assert.deepEqual(findServer('/opt/testgap/testgap', context(all)), {
      found: true,
      path: '/opt/testgap/testgap',
      source: 'setting',
    });
  });

  it('takes the bundled binary before PATH', () => {
    assert.deepEqual(findServer('', context(['/ext/bin/testgap', '/usr/bin/testgap'])), {
      found: true,
      path: '/ext/bin/testgap',
      source: 'bundled',
    });
  });

  it('searches PATH in order', () => {
    const result = findServer(undefined, context(['/usr/bin/testgap', '/usr/local/bin/testgap']));
    assert.deepEqual(result, { found: true, path: '/usr/local/bin/testgap', source: 'PATH' });
    assert.deepEqual(findServer('  ', context(['/usr/bin/testgap'])), {
      found: true,
      path: '/usr/bin/testgap',
      source: 'PATH',
    });
  });

  it('expands ~ and resolves a relative testgap.path against the workspace', () => {
    assert.deepEqual(findServer('~/.cargo/bin/testgap', context(['/home/ada/.cargo/bin/testgap'])), {
      found: true,
      path: '/home/ada/.cargo/bin/testgap',
      source: 'setting',
    });
    const inWorkspace = context(['/projects/shop/target/debug/testgap'], { workspaceFolder: '/projects/shop' });
    assert.deepEqual(findServer('target/debug/testgap', inWorkspace), {
      found: true,
      path: '/projects/shop/target/debug/testgap',
      source: 'setting',
    });
    assert.deepEqual(findServer('${workspaceFolder}/target/debug', inWorkspace), {
      found: true,
      path: '/projects/shop/target/debug/testgap',
      source: 'setting',
    });
  });

  it('names a testgap.path that is not executable instead of falling back', () => {
    const result = findServer('/nowhere/testgap', context(['/usr/bin/testgap']));
    assert.deepEqual(result, {
      found: false,
      reason: 'testgap.path is set to /nowhere/testgap, which is not an executable file',
      tried: ['/nowhere/testgap'],
    });
  });

  it('says where it looked when there is no server', () => {
    const result = findServer('', context([]));
    assert.equal(result.found, false);
    if (!result.found) {
      assert.match(result.reason, /not bundled with the extension and `testgap` is not on PATH/);
      assert.deepEqual(result.tried, ['/ext/bin/testgap', '/usr/local/bin/testgap', '/usr/bin/testgap']);
    }
    const noPath = findServer('', context([], { env: {} }));
    assert.deepEqual(noPath.found ? [] : noPath.tried, ['/ext/bin/testgap']);
  });

  it('uses testgap.exe, Path in any case and PATHEXT on Windows', () => {
    assert.equal(binaryName('win32'), 'testgap.exe');
    const windows = (executables: string[]) =>
      context(executables, {
        platform: 'win32',
        env: { Path: 'C:\\tools;"C:\\Program Files\\testgap"', PATHEXT: '.COM;.EXE' },
        extensionDir: 'C:\\ext',
      });
    assert.deepEqual(findServer('', windows(['C:\\ext\\bin\\testgap.exe'])), {
      found: true,
      path: 'C:\\ext\\bin\\testgap.exe',
      source: 'bundled',
    });
    assert.deepEqual(findServer('', windows(['C:\\Program Files\\testgap\\testgap.exe'])), {
      found: true,
      path: 'C:\\Program Files\\testgap\\testgap.exe',
      source: 'PATH',
    });
  });

  it('checks the real file system: a regular file with the execute bit', { skip: process.platform === 'win32' }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testgap-lookup-'));
    try {
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      const file = path.join(bin, 'testgap');
      fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
      assert.equal(isExecutableFile(file), false);
      fs.chmodSync(file, 0o755);
      assert.equal(isExecutableFile(file), true);
      assert.equal(isExecutableFile(bin), false);
      assert.equal(isExecutableFile(path.join(dir, 'missing')), false);
      const result = findServer('', {
        platform: process.platform,
        env: { PATH: '' },
        extensionDir: dir,
        isExecutable: isExecutableFile,
      });
      assert.deepEqual(result, { found: true, path: file, source: 'bundled' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
