/* fsutil: file-system helpers (directories for the stores, log files). */
#ifndef CORDON_FSUTIL_H
#define CORDON_FSUTIL_H

/* mkdir -p: creates path and its missing parents; 0 or -1 (errno set) */
int mkdir_p(const char *path, unsigned mode);

/* a log file opened for appending (created if need be), mode 0640 whatever
 * the umask: the group that collects logs reads it, nobody else; the fd,
 * or -1 with errno set */
int open_log_file(const char *path);

#endif
