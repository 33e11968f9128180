#pragma once
int once_var;
#define ONCE_MACRO(x) (x * 2)
int once_use = ONCE_MACRO(3);
