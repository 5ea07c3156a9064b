import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GRANULARITIES,
  SERVER_DEFAULTS,
  SEVERITIES,
  configurationChange,
  expandPath,
  serverSettings,
  type SettingsSource,
} from '../src/settings';
import { manifest, userSettings } from './support/manifest';

const source = (values: Record<string, unknown>): SettingsSource => ({ get: (key) => values[key] });

describe('settings mapping', () => {
  it('sends the server its own defaults when the user set nothing', () => {
    const { settings, problems } = serverSettings(userSettings());
    assert.deepEqual(settings, SERVER_DEFAULTS);
    assert.deepEqual(problems, []);
  });

  it('declares in package.json every server setting, with the server default', () => {
    const properties = manifest().contributes.configuration.properties;
    const declared = Object.keys(properties)
      .filter((k) => !['testgap.path', 'testgap.trace.server'].includes(k))
      .map((k) => k.slice('testgap.'.length))
      .sort();
    assert.deepEqual(declared, Object.keys(SERVER_DEFAULTS).sort());
    for (const [key, value] of Object.entries(SERVER_DEFAULTS)) {
      // Optional paths are "" in VS Code and null (the server decides) on the wire.
      assert.deepEqual(properties[`testgap.${key}`].default, value ?? '', key);
    }
    assert.deepEqual(properties['testgap.functionSeverity'].enum, [...SEVERITIES]);
    assert.deepEqual(properties['testgap.lineSeverity'].enum, [...SEVERITIES]);
    assert.deepEqual(properties['testgap.granularity'].enum, [...GRANULARITIES]);
  });

  it('maps every setting to its camelCase key', () => {
    const { settings, problems } = serverSettings(
      userSettings({
        coverageFile: ' build/coverage.json ',
        threshold: 80,
        functionSeverity: 'warning',
        lineSeverity: 'information',
        granularity: 'lines',
        inlayHints: false,
        codeLens: false,
        python: '/opt/venv/bin/python',
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      coverageFile: 'build/coverage.json',
      threshold: 80,
      functionSeverity: 'warning',
      lineSeverity: 'information',
      granularity: 'lines',
      inlayHints: false,
      codeLens: false,
      python: '/opt/venv/bin/python',
    });
  });

  it('sends empty paths as null, so that the server falls back to its own search', () => {
    const { settings } = serverSettings(source({ coverageFile: '', python: '   ' }));
    assert.equal(settings.coverageFile, null);
    assert.equal(settings.python, null);
  });

  it('expands ~, ${userHome} and ${workspaceFolder}', () => {
    const context = { homedir: '/home/ada', workspaceFolder: '/projects/shop' };
    const { settings } = serverSettings(
      source({ python: '${workspaceFolder}/.venv/bin/python', coverageFile: '~/reports/c.json' }),
      context,
    );
    assert.equal(settings.python, '/projects/shop/.venv/bin/python');
    assert.equal(settings.coverageFile, '/home/ada/reports/c.json');
    assert.equal(expandPath('${userHome}/x', context), '/home/ada/x');
    assert.equal(expandPath('~', context), '/home/ada');
    assert.equal(expandPath('a~/b', context), 'a~/b');
    // Without a workspace folder the variable is left for the user to see.
    assert.equal(expandPath('${workspaceFolder}/x', { homedir: '/h' }), '${workspaceFolder}/x');
  });

  it('keeps the default for a value the server would reject, and says why', () => {
    const { settings, problems } = serverSettings(
      source({ threshold: 150, granularity: 'words', functionSeverity: 'fatal', inlayHints: 'yes', python: 3 }),
    );
    assert.equal(settings.threshold, 100);
    assert.equal(settings.granularity, 'function');
    assert.equal(settings.functionSeverity, 'information');
    assert.equal(settings.inlayHints, true);
    assert.equal(settings.python, null);
    assert.equal(problems.length, 5);
    assert.match(problems.join('\n'), /testgap\.threshold must be a percentage from 0 to 100; ignoring 150/);
    assert.match(problems.join('\n'), /testgap\.granularity must be one of function, lines; ignoring "words"/);
    assert.equal(serverSettings(source({ threshold: Number.NaN })).settings.threshold, 100);
    assert.equal(serverSettings(source({ threshold: 0 })).settings.threshold, 0);
  });

  it('nests changes under `testgap`, as VS Code sends a settings section', () => {
    const { settings } = serverSettings(userSettings({ granularity: 'lines' }));
    assert.deepEqual(configurationChange(settings), { settings: { testgap: settings } });
  });
});
