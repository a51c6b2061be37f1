/* The simdnn command-line tool: one function per subcommand. */
#ifndef SDN_CLI_H
#define SDN_CLI_H

/* Each returns the process exit status: 0 success, 1 runtime error, 2 usage error. */
int sdn_cmd_info(int argc, char **argv);
int sdn_cmd_train(int argc, char **argv);
int sdn_cmd_evaluate(int argc, char **argv);
int sdn_cmd_predict(int argc, char **argv);
int sdn_cmd_exercise(int argc, char **argv);
/* issue 14 */
int sdn_cmd_lrfind(int argc, char **argv);
int sdn_cmd_lab(int argc, char **argv);

#endif
