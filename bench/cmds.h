/* cmds.h — the mbshake subcommands. Each takes argv with argv[0] = the command name and returns
 * the process exit status: 0 success, 1 runtime failure, 2 usage error. */
#ifndef MBSHAKE_CMDS_H
#define MBSHAKE_CMDS_H

int cmd_serve(int argc, char **argv);
int cmd_connect(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_load(int argc, char **argv);

#endif
