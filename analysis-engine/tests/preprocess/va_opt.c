/* Variadic corner cases. */
#define F(...) f(0 __VA_OPT__(,) __VA_ARGS__)
#define G(X, ...) f(0, X __VA_OPT__(,) __VA_ARGS__)
#define SDEF(sname, ...) S sname __VA_OPT__(= { __VA_ARGS__ })
#define EMP
#define H2(X, Y, ...) __VA_OPT__(X ## Y,) __VA_ARGS__
#define H3(X, ...) #__VA_OPT__(X##X X##X)
#define H4(X, ...) __VA_OPT__(a X ## X) ## b
#define H5A(...) __VA_OPT__()/**/__VA_OPT__()
#define H5B(X) a ## X ## b
#define H5C(X) H5B(X)
int a1 = F(a, b, c);
int a2 = F();
int a3 = F(EMP);
int a4 = G(a, b, c);
int a5 = G(a, );
int a6 = G(a);
SDEF(foo);
SDEF(bar, 1, 2);
int a7 = H2(a, b, c, d);
const char *a8 = H3(, 0);
int a9 = H4(, 1);
int a10 = H5C(H5A());
#define COUNT_ARGS(...) COUNT_IMPL(0, ## __VA_ARGS__, 3, 2, 1, 0)
#define COUNT_IMPL(_0, _1, _2, _3, N, ...) N
int c0 = COUNT_ARGS();
int c1 = COUNT_ARGS(x);
int c3 = COUNT_ARGS(x, y, z);
#define DBG(fmt, ...) dbg(fmt, ## __VA_ARGS__)
void t(void) { DBG("a"); DBG("b", 1); DBG("c", ); }
#define STRINGIFY_ALL(...) #__VA_ARGS__
const char *s = STRINGIFY_ALL( a , "b\"c" ,  'd' );
#define CAT3(a, b, c) a ## b ## c
int CAT3(x, y, z) = CAT3(1, 2, 3) + CAT3(, , 4) + CAT3(0x, , ff);
#define ARROW(p) p->f
#define MINUS(a) -a
int arrow = ARROW(q) MINUS(-1) - MINUS(1);
#define EMPTY_FN()
int ef = 1 EMPTY_FN() + 2;
#define paren_later(x) [x]
#define apply_later paren_later
int pl = apply_later (7);
int pl2 = apply_later
 (8);
