/*
 * The newsroom's commands on the command line: publish, edit, delete and pin
 * posts, replace a page's summary, set its coverage status. Each is one store
 * call or one transaction, so each adds exactly one entry to the change log
 * (none when it changes nothing: pinning the pinned post, setting the status a
 * page already has). Same contract as cli.h: called with the command's own
 * argv, returns the exit status (0, 1, or CLI_EXIT_USAGE). They keep the
 * limits of model/model_limits.h as the newsroom does: whoever can run them can
 * open the database, but a post too large for a reader's page would break
 * that page for every reader.
 */
#ifndef LIVELINE_CLI_WRITE_H
#define LIVELINE_CLI_WRITE_H

int cli_post(int argc, char **argv);    /* post SLUG --title T ... < body.md */
int cli_edit(int argc, char **argv);    /* edit SLUG ID [...] [< body.md] */
int cli_delete(int argc, char **argv);  /* delete SLUG ID */
int cli_pin(int argc, char **argv);     /* pin SLUG ID */
int cli_unpin(int argc, char **argv);   /* unpin SLUG */
int cli_summary(int argc, char **argv); /* summary SLUG < summary.md */
int cli_status(int argc, char **argv);  /* status SLUG live|ended|upcoming */

#endif
