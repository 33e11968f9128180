/* Preprocessor features, compared token for token with gcc -E -P. */
#include "features_helper.h"
#include "features_helper.h"   /* guarded: second inclusion is skipped */
#include "once_helper.h"
#include "once_helper.h"

#define ZERO 0
#define ONE (ZERO + 1)
#define ADD(a, b) ((a) + (b))
#define TWICE(x) ADD(x, x)
#define STR(x) #x
#define XSTR(x) STR(x)
#define GLUE(a, b) a ## b
#define XGLUE(a, b) GLUE(a, b)
#define EMPTY
#define LPAREN (
#define LOG(fmt, ...) printf(fmt, ##__VA_ARGS__)
#define LOG2(fmt, args...) printf(fmt , ## args)
#define OPT(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)
#define COUNT(...) count(__VA_ARGS__)
#define SELF SELF + 1
#define PING PONG
#define PONG PING
#define APPLY(f, x) f(x)
#define ID(x) x
#define NEG(x) -x
#define CALL(f) f
#define HIDE(x) x HIDE

int a = ONE;
int b = TWICE(ONE);
const char *s1 = STR(a + b  "q\n" 'c');
const char *s2 = XSTR(ONE);
const char *s3 = STR( spaced   out   );
int GLUE(var, 1) = GLUE(0x, 1F);
int XGLUE(var, __LINE__) = 3;
int c = GLUE(, 5) + GLUE(6, );
void g(void) {
    LOG("x");
    LOG("x %d", 1);
    LOG2("y");
    LOG2("y %d %d", 1, 2);
    OPT(1);
    OPT(1, 2, 3);
    COUNT();
    COUNT(a, (b, c), d);
    int self = SELF;
    int ping = PING + PONG;
    int ap = APPLY(NEG, 5);
    int nested = ID(ID(ID(7)));
    int lp = ADD LPAREN 1, 2);
    int cf = CALL(ADD)(3, 4);
    int hd = HIDE(HIDE)(1);
    int multi = ADD(1,
                    2);
    int neg = - NEG(1);
    int line = __LINE__;
}
const char *file = __FILE__;
int counter0 = __COUNTER__, counter1 = __COUNTER__;
int level = __INCLUDE_LEVEL__;

#if defined(ONE) && ONE == 1 && !defined UNDEFINED_THING
int if1 = 1;
#elif 1
int if1 = 2;
#else
int if1 = 3;
#endif

#if 0
#error not reached
don't lex me 'properly
#elif (1 ? 2 : 3) == 2 && (-1 < 0) && (0xffffffffffffffff > 0) && (-1 > 0u) && ('a' == 97) && ('\377' < 0)
int if2 = 2;
#endif

#if (1 << 62) * 2 == (-9223372036854775807 - 1) && 10 / 3 == 3 && -7 % 3 == -1 && (~0u >> 63) == 1
int if3 = 1;
#endif

#ifdef __x86_64__
int arch = 64;
#endif
#ifndef __bpf__
int not_bpf = 1;
#endif

#if __has_include(<stdint.h>) && !__has_include("no_such_header.h")
int has_inc = 1;
#endif
#if defined __has_include && __has_attribute(packed) && __has_builtin(__builtin_expect) && !__has_attribute(no_such_attr)
int has_attr = 1;
#endif
#ifdef __has_feature
int has_feature = 1;
#endif

#define HDR <stddef.h>
#include HDR
#define QHDR "features_helper.h"
#include QHDR

#undef ADD
#ifdef ADD
int add_still = 1;
#endif
int ADD = 4;

#define FN(x) fn_ ## x ## _end
int FN(mid);
#define PASTE3(a, b, c) a ## b ## c
int PASTE3(, , z) = PASTE3(x, , y);
#define OP(a, b) a b
int ops = 1 OP(<, <) 2;
#define PLUS +
int pp = 1 PLUS+ 2;
int pm = 1 -NEG(2);
#define ARR(...) { __VA_ARGS__ }
int arr[] = ARR(1, 2, 3);
#define DEFER(m) m EMPTY
int deferred = DEFER(ID)(9);
#define EXPAND(x) x
int expanded = EXPAND(DEFER(ID)(10));
#define STRV(...) #__VA_ARGS__
const char *sv = STRV(a, b,c);
#define CAT_LINE(a) XGLUE(a, __LINE__)
int CAT_LINE(tmp);
#pragma once
#pragma GCC diagnostic push
_Pragma("GCC diagnostic pop") int after_pragma;
#line 500
int at_500 = __LINE__;
#define OBJ_PAREN (x)
int op = OBJ_PAREN;
#define F2(x, y) x ## y
int F2(a, ) F2(, b) F2(c, d);
#define EMPTYARG(x) [x]
int e1[1] EMPTYARG() ;
#define MAX(a, b) ((a) > (b) ? (a) : (b))
int m3 = MAX(MAX(1, 2), MAX(3, 4));
#ident "ignored"
#warning this is a warning
#foo unknown directive
int last = 1;
