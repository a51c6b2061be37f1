/* The profile command's subcommands, one file each. */
#ifndef SDN_PROFILE_CMDS_H
#define SDN_PROFILE_CMDS_H

int cli_profile_diff(int argc, char **argv); /* apps/profile_diff.c */

#endif
