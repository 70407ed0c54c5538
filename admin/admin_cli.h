/* admin_cli: the reviewers' and operators' commands.
 *   on the store directly (work while a server runs: LMDB is multi-process):
 *     cordon token add NAME --role reviewer|auditor|ci | token list | token revoke NAME
 *     cordon audit verify
 *   against a running server's admin API (docs/admin-api.md):
 *     cordon held | approve | revoke | block | unblock | decisions | reviews
 * Exit codes: 0 ok, 1 refused or a check failed, 2 usage, configuration or
 * connection error. */
#ifndef CORDON_ADMIN_CLI_H
#define CORDON_ADMIN_CLI_H

/* 1 when cmd is one of these commands */
int admin_cli_owns(const char *cmd);
/* argv[0] is the command */
int admin_cli_main(int argc, char **argv);
void admin_cli_usage(void *out /* FILE* */);

#endif
