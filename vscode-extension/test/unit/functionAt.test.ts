import * as assert from 'assert';
import { functionAtLine, functionMarks, inRange } from '../../src/functionAt';

const lens = (line: number, name: string) => ({ range: { start: { line, character: 4 }, end: { line, character: 4 + name.length } }, command: { title: '≈ 10 instr', command: 'perfi.showInterface', arguments: ['file:///x.c', name] } });
const structLens = (line: number) => ({ range: { start: { line, character: 0 } }, command: { title: 'size 16 B', command: '' } });

describe('function at the cursor', () => {
  const marks = functionMarks([lens(40, 'b'), structLens(3), lens(10, 'a'), { bogus: true }]);

  it('keeps function lenses only, sorted by line', () => {
    assert.deepStrictEqual(marks, [
      { name: 'a', line: 10 },
      { name: 'b', line: 40 },
    ]);
    assert.deepStrictEqual(functionMarks(null), []);
  });

  it('picks the last function whose name is at or above the cursor', () => {
    assert.strictEqual(functionAtLine(marks, 5), undefined);
    assert.strictEqual(functionAtLine(marks, 10)?.name, 'a');
    assert.strictEqual(functionAtLine(marks, 39)?.name, 'a');
    assert.strictEqual(functionAtLine(marks, 400)?.name, 'b');
  });

  it('checks 0-based lines against 1-based ranges', () => {
    assert.ok(inRange(49, 50, 66));
    assert.ok(inRange(65, 50, 66));
    assert.ok(!inRange(48, 50, 66));
    assert.ok(!inRange(66, 50, 66));
  });
});
