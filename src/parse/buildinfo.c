/* Being written: see include/correlate/buildinfo.h */
typedef int buildinfo_placeholder;
