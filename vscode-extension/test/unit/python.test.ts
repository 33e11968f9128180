import * as assert from 'assert';
import { commentBlock, pythonForFunction } from '../../src/python';

const MODULE = `# header comment

def _m(x, w):
    return x

def first(inputs, loop_exits=None, **pcvs):
    """first."""
    return {"instructions": 1}

def second(inputs, loop_exits=None, **pcvs):
    """second."""
    if (True):
        return {"instructions": 2}
    raise ValueError("no case")
`;

describe('python extraction', () => {
  it('gives the prelude and one function', () => {
    const py = pythonForFunction(MODULE, 'second');
    assert.ok(py);
    assert.ok(py.startsWith('# header comment\n\ndef _m(x, w):'));
    assert.ok(py.includes('def second('));
    assert.ok(py.includes('raise ValueError("no case")'));
    assert.ok(!py.includes('def first('));
  });

  it('stops a function at the next definition', () => {
    const py = pythonForFunction(MODULE, 'first') ?? '';
    assert.ok(py.includes('return {"instructions": 1}'));
    assert.ok(!py.includes('def second('));
  });

  it('does not match a prefix of another name', () => {
    assert.strictEqual(pythonForFunction(MODULE, 'sec'), undefined);
    assert.strictEqual(pythonForFunction('', 'first'), undefined);
  });

  it('comments every line', () => {
    assert.strictEqual(commentBlock('a\n\n  b'), '# a\n#\n#   b');
  });
});
