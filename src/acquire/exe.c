/* Being written: see include/correlate/buildinfo.h */
typedef int exe_placeholder;
