import * as assert from 'assert';
import { commentBlock, interfaceDocumentText, pythonForFunction } from '../../src/python';

const MODULE = `# header comment

def _m(x, w):
    return x

def first(inputs, loop_exits=None, **pcvs):
    """first."""
    return {"instructions": 1}

def second(inputs, loop_exits=None, **pcvs):
    """second."""
    if (True):
        return {"instructions": _m(2, 8)}
    raise ValueError("no case")
`;

describe('python extraction', () => {
  it('splits the intro, the helpers and one function', () => {
    const py = pythonForFunction(MODULE, 'second');
    assert.ok(py);
    assert.strictEqual(py.intro, '# header comment');
    assert.strictEqual(py.helpers, 'def _m(x, w):\n    return x');
    assert.ok(py.body.startsWith('def second('));
    assert.ok(py.body.endsWith('raise ValueError("no case")'));
  });

  it('stops a function at the next definition', () => {
    const py = pythonForFunction(MODULE, 'first');
    assert.ok(py?.body.includes('return {"instructions": 1}'));
    assert.ok(!py?.body.includes('def second('));
  });

  it('does not match a prefix of another name', () => {
    assert.strictEqual(pythonForFunction(MODULE, 'sec'), undefined);
    assert.strictEqual(pythonForFunction('', 'first'), undefined);
  });

  it('comments every line', () => {
    assert.strictEqual(commentBlock('a\n\n  b'), '# a\n#\n#   b');
  });

  it('builds the document: interface as comments, the function, then its helpers', () => {
    const doc = interfaceDocumentText('nat.c', 'second', 'second  nat.c:1-5\n  instructions = 2', MODULE);
    const at = (s: string) => doc.indexOf(s);
    assert.ok(at('#   instructions = 2') > 0);
    assert.ok(at('#   instructions = 2') < at('def second('));
    assert.ok(at('def second(') < at('def _m('));
    assert.ok(!doc.includes('def first('));
    const missing = interfaceDocumentText('nat.c', 'third', 'x', MODULE);
    assert.match(missing, /no Python form of third/);
  });
});
