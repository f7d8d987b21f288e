/* standalone: run a harness over files and folders (or stdin) without libFuzzer, for regressions and AFL++ */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"

/* The whole stream into a buffer sized to it, so sanitizers see reads past the input's end. */
static int run_stream(FILE *f, const char *name)
{
	uint8_t *buf = NULL, *grown;
	size_t len = 0, cap = 0, got;

	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (!(grown = realloc(buf, cap))) {
				free(buf);
				fprintf(stderr, "%s: out of memory\n", name);
				return -1;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", name, strerror(errno));
		free(buf);
		return -1;
	}
	grown = malloc(len ? len : 1);
	if (grown)
		memcpy(grown, buf, len);
	free(buf);
	if (!grown)
		return -1;
	fprintf(stderr, "running %s (%zu bytes)\n", name, len);
	LLVMFuzzerTestOneInput(grown, len);
	free(grown);
	return 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = run_stream(f, path);
	fclose(f);
	return rc;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a folder (not recursive), in name order so that runs repeat. */
static int run_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, **grown;
	size_t n = 0, i;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (!(grown = realloc(names, (n + 1) * sizeof(*names))))
			break;
		names = grown;
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n; i++) {
		struct stat sb;

		if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode) && run_file(names[i]) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	struct stat sb;
	int i, rc = 0;

	if (argc < 2)
		return run_stream(stdin, "standard input") == 0 ? 0 : 1;
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(sb.st_mode) ? run_folder(argv[i]) != 0 : run_file(argv[i]) != 0) {
			rc = 1;
		}
	}
	return rc;
}
