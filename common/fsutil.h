/* fsutil: file-system helpers shared by the stores. */
#ifndef CORDON_FSUTIL_H
#define CORDON_FSUTIL_H

/* mkdir -p: creates path and its missing parents; 0 or -1 (errno set) */
int mkdir_p(const char *path, unsigned mode);

#endif
