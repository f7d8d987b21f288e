/* main: parse the command line, dispatch, print the one error line, pick the exit status */
#include <stdio.h>

#include "audit.h"
#include "options.h"
#include "report.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* The one error line: it may quote a path, a filter or file content, so control bytes are escaped. */
static void print_error(const char *err)
{
	fputs("flowaudit: ", stderr);
	report_text_safe(stderr, err);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	char err[1024] = "";
	struct options o;
	int status;

	report_text_locale();	/* UTF-8 text shown as is on a UTF-8 terminal; control bytes always escaped */
	if (options_parse(&o, argc, argv, err, sizeof(err)) != 0) {
		print_error(err);
		options_free(&o);
		return EXIT_TROUBLE;
	}
	if (o.help) {
		options_usage(stdout);
		status = EXIT_OK;
	} else if (o.version) {
		printf("flowaudit %s\n", PACKAGE_VERSION);
		status = EXIT_OK;
	} else if (o.command >= CMD_BASELINE_SAVE) {
		status = audit_baseline_command(&o, err, sizeof(err));
		if (err[0])
			print_error(err);
	} else if (o.command != CMD_AUDIT) {
		status = audit_rules_command(&o, err, sizeof(err));
		if (err[0])
			print_error(err);
	} else {
		status = audit_run(&o, err, sizeof(err));
		if (err[0])
			print_error(err);
	}
	options_free(&o);
	return status;
}
