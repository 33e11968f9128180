import * as assert from 'assert';
import { asPoly, evalPoly, PolyError, polyVars } from '../../src/poly';

describe('polynomials', () => {
  const p = asPoly({ const: 395, terms: [{ coeff: 18, vars: ['t'] }, { coeff: 0.5, vars: ['n', 'n'] }, { coeff: -2, vars: ['t', 'n'] }] }, 'p');

  it('evaluates sums of products, a repeated variable being a power', () => {
    const env = new Map([
      ['t', 3],
      ['n', 4],
    ]);
    // 395 + 18*3 + 0.5*4*4 - 2*3*4
    assert.strictEqual(evalPoly(p, env), 395 + 54 + 8 - 24);
  });

  it('gives the constant when there are no terms', () => {
    assert.strictEqual(evalPoly(asPoly({ const: 7.25, terms: [] }, 'c'), new Map()), 7.25);
  });

  it('refuses a missing variable unless a fallback is given', () => {
    assert.throws(() => evalPoly(p, new Map([['t', 1]])), /no value for variable n/);
    assert.strictEqual(evalPoly(p, new Map([['t', 1]]), 0), 395 + 18);
  });

  it('lists the variables once, in order', () => {
    assert.deepStrictEqual(polyVars(p), ['t', 'n']);
  });

  it('rejects malformed polynomials with the offending part named', () => {
    assert.throws(() => asPoly(null, 'x'), PolyError);
    assert.throws(() => asPoly({ const: 'a', terms: [] }, 'x'), /"const"/);
    assert.throws(() => asPoly({ const: 1, terms: [{ coeff: 1, vars: [3] }] }, 'x'), /term 0/);
    assert.throws(() => asPoly({ const: 1, terms: [{ coeff: Infinity, vars: [] }] }, 'x'), /coeff/);
    assert.throws(() => asPoly({ const: 1 }, 'x'), /"terms"/);
  });
});
