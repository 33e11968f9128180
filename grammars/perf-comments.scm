; Perfi annotations live in comments:
;   /* @perf pcv NAME: description [max N] */  just above a loop
;   /* @perf secret */                          on a declaration
((comment) @perf
  (#match? @perf "@perf"))
