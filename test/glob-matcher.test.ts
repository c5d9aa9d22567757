// The walk's glob matcher answers as picomatch does (with `dot: true`, as the walk matches), for
// the patterns it tests by name or by folder without picomatch and for those it hands on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { globMatcher } from '../dist/discover/walk.js';

const patterns = [
  '**/*.js',
  '**/*.cjs',
  '**/*crontab*',
  '**/*.cron',
  '**/cron.d/*',
  '**/*.plist',
  '**/ecosystem.config.{js,cjs,mjs,json}',
  '**/Makefile',
  '**/run-*.sh',
  '**/*',
  'src/**/*.js',
  'lib/*.mjs',
  '**/{a,b}/*.js',
  '**/[ab].js',
  '**/*.{js,ts}x',
  '**/*.sh',
  '**/x*',
  '**/*.js*',
  '**/*{a,b}',
  '**/{a*,b}.js',
];

const paths = [
  'a.js',
  '.js',
  '.hidden.js',
  'x/y/z.js',
  'x/y/z.jsx',
  'x/y/z.tsx',
  'x/.git-like/z.js',
  'z.js.map',
  'z.mjs',
  'lib/z.mjs',
  'lib/deep/z.mjs',
  'src/a/b.js',
  'crontab',
  'etc/my-crontab.txt',
  'etc/crontab/x.sh',
  'jobs.cron',
  'cron.d/backup',
  'etc/cron.d/backup',
  'etc/cron.d/deep/backup',
  'etc/xcron.d/backup',
  'etc/cron.dd/backup',
  'x/com.me.plist',
  'ecosystem.config.js',
  'app/ecosystem.config.json',
  'app/ecosystem.config.ts',
  'app/ecosystem-config.js',
  'app/ecosystemXconfig.js',
  'Makefile',
  'a/Makefile.bak',
  'bin/run-all.sh',
  'bin/run-.sh',
  'bin/xrun-all.sh',
  'a/b.js',
  'b/c.js',
  'a/line\nbreak.js',
  'a/tab\tname.cron',
  'x.sh.bak',
  'a.js.js',
  'crontab.bak',
  'my.crontab',
  'a/ecosystem.config.js.bak',
  'a/my-ecosystem.config.js',
  'a/line\nbreak.sh',
  'a/b.sh\n',
];

describe('globMatcher', () => {
  for (const pattern of patterns) {
    it(`${pattern}: as picomatch answers`, () => {
      const mine = globMatcher([pattern]);
      const theirs = picomatch(pattern, { dot: true });
      const differ = paths.filter((p) => mine(p, p.slice(p.lastIndexOf('/') + 1)) !== theirs(p));
      assert.deepEqual(differ, [], `${pattern} differs from picomatch on these`);
      // The walk's form, the folder apart from the name, where the matcher has one.
      if (mine.inFolder) {
        const inFolder = mine.inFolder;
        const apart = paths.filter((p) => inFolder(p.slice(0, p.lastIndexOf('/') + 1)).test(p.slice(p.lastIndexOf('/') + 1)) !== theirs(p));
        assert.deepEqual(apart, [], `${pattern} by folder differs from picomatch on these`);
      }
    });
  }

  it('the environment list answers by folder and name apart, as picomatch does', () => {
    const envFiles = ['**/*.sh', '**/*.bash', '**/*crontab*', '**/*.cron', '**/cron.d/*', '**/*.plist', '**/ecosystem.config.{js,cjs,mjs,json}'];
    const mine = globMatcher(envFiles);
    const theirs = picomatch(envFiles, { dot: true });
    assert.ok(mine.inFolder, 'no path made an entry');
    const inFolder = mine.inFolder;
    const differ = [...paths, 'cron.d/x', 'etc/cron.d/x', 'etc/xcron.d/x', 'cron.d/sub/x'].filter((p) => inFolder(p.slice(0, p.lastIndexOf('/') + 1)).test(p.slice(p.lastIndexOf('/') + 1)) !== theirs(p));
    assert.deepEqual(differ, []);
  });

  it('a list matches a path if any of its patterns does', () => {
    const envFiles = ['**/*.sh', '**/*crontab*', '**/cron.d/*', '**/ecosystem.config.{js,cjs,mjs,json}', 'src/**/*.js'];
    const mine = globMatcher(envFiles);
    const theirs = picomatch(envFiles, { dot: true });
    const differ = paths.filter((p) => mine(p, p.slice(p.lastIndexOf('/') + 1)) !== theirs(p));
    assert.deepEqual(differ, []);
    assert.ok(mine('etc/cron.d/backup', 'backup'));
    assert.ok(!mine('z.js.map', 'z.js.map'));
  });
});
