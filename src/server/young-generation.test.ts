import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { DEFAULT_SEMI_SPACE_GROWTH_FACTOR, holdYoungGeneration, operatorSizedYoungGeneration } from './young-generation.js';

describe('young generation held during start-up', () => {
  it('sets the growth factor to 1, and back to the default once released (once)', () => {
    const set: string[] = [];
    const release = holdYoungGeneration(false, (flags) => set.push(flags));
    assert.deepEqual(set, ['--semi-space-growth-factor=1']);
    release();
    release();
    assert.deepEqual(set, ['--semi-space-growth-factor=1', `--semi-space-growth-factor=${DEFAULT_SEMI_SPACE_GROWTH_FACTOR}`]);
  });

  it('changes nothing when the operator sized the young generation', () => {
    const set: string[] = [];
    holdYoungGeneration(true, (flags) => set.push(flags))();
    assert.deepEqual(set, []);
  });

  it('sees the operator’s young-generation flags in node’s arguments and NODE_OPTIONS, not other flags', () => {
    assert.equal(operatorSizedYoungGeneration([], ''), false);
    assert.equal(operatorSizedYoungGeneration(['--max-old-space-size=512', '--enable-source-maps'], '--import tsx'), false);
    for (const flag of [
      '--max-semi-space-size=16',
      '--min-semi-space-size=4',
      '--semi-space-growth-factor=4',
      '--max_semi_space_size=8',
      '--max-heap-size=256',
    ]) {
      assert.equal(operatorSizedYoungGeneration([flag], ''), true, flag);
      assert.equal(operatorSizedYoungGeneration([], `--import tsx ${flag}`), true, flag);
    }
  });

  it('restores the default this Node.js has, and the flag exists', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    assert.match(options, new RegExp(`default: --semi-space-growth-factor=${DEFAULT_SEMI_SPACE_GROWTH_FACTOR}\\b`));
  });
});
