/* The simdnn command-line tool: one function per subcommand. */
#ifndef SDN_CLI_H
#define SDN_CLI_H

/* Each returns the process exit status: 0 success, 1 runtime error, 2 usage error. */
int cli_info(int argc, char **argv);
int cli_train(int argc, char **argv);
int cli_evaluate(int argc, char **argv);
int cli_predict(int argc, char **argv);
int cli_exercise(int argc, char **argv);
/* profiler: simdnn profile calibrate|kernels|diff */
int cli_profile(int argc, char **argv);
/* Runs a command; train, evaluate, predict and exercise also take --profile DIR and
 * --profile-steps W,WU,A (apps/profile_flags.c). */
int app_run_command(const char *name, int (*run)(int, char **), int argc, char **argv);
int cli_lrfind(int argc, char **argv);
int cli_lab(int argc, char **argv);

#endif
