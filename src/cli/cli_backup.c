/*
 * `liveline backup FILE`: a consistent copy of a live SQLite database, taken
 * while the server keeps serving and publishing, with its images. The
 * database's copy is store_backup() (SQLite's online backup API); this file
 * adds the media folder and reports. PostgreSQL is backed up with its own
 * tools (pg_dump), which docs/operations.md gives.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/media.h"
#include "serve/serve.h"

static const char usage_backup[] =
	"usage: liveline [--db DB] backup FILE [--media DIR]\n"
	"\n"
	"Writes a consistent copy of the SQLite database DB into FILE, a new file,\n"
	"while servers keep serving and publishing: the copy is the database as it\n"
	"was at one instant (SQLite's online backup API), checked, synced, and only\n"
	"then given its name, so FILE exists only whole. It holds every page, post,\n"
	"account, token, draft, revision and the audit trail, and the images.\n"
	"The media folder (--media, default as for serve: $LIVELINE_MEDIA, else\n"
	"DB-media) is copied too, after the database, into FILE-media, where\n"
	"`liveline --db FILE serve` looks by default: it is a cache of the images,\n"
	"and where databases from before images were kept in the store have them.\n"
	"Images never change once written, so the folder copied after the database\n"
	"holds every image the database names.\n"
	"FILE must not exist, and FILE-media must not hold anything.\n"
	"To restore: stop the servers, put FILE (and FILE-media) where --db points,\n"
	"or start them with --db FILE.\n"
	"A PostgreSQL database is backed up with pg_dump (docs/operations.md).\n";

/* Copies the regular file `from` into the new file `to` and syncs it. */
static int cli_backup_file(const char *from, const char *to)
{
	char block[65536];
	int in, out, rc = -1;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		goto out;
	while ((n = read(in, block, sizeof(block))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, block + off, (size_t)(n - off));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				goto out;
			}
			off += w;
		}
	}
	if (n == 0 && fsync(out) == 0)
		rc = 0;
out:
	if (out >= 0 && close(out) != 0)
		rc = -1;
	close(in);
	return rc;
}

/* 1 when `dir` is missing or empty, 0 when it holds something, -1 when it
 * cannot be read. */
static int cli_backup_dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return errno == ENOENT ? 1 : -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* Copies the files of the media folder `from` (flat: media/'s names) into
 * `to`, made if missing; *files counts them. A missing `from` is an empty
 * folder (a database without images). -1 after printing why. */
static int cli_backup_media(const char *from, const char *to, size_t *files)
{
	char src[4096], dst[4096];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = 0, fd;

	*files = 0;
	d = opendir(from);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "liveline backup: %s: %s\n", from, strerror(errno));
		return -1;
	}
	if (mkdir(to, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "liveline backup: %s: %s\n", to, strerror(errno));
		closedir(d);
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		/* Dot files are media/'s temporary files, half written. */
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(src, sizeof(src), "%s/%s", from, e->d_name) >= (int)sizeof(src) ||
		    snprintf(dst, sizeof(dst), "%s/%s", to, e->d_name) >= (int)sizeof(dst)) {
			fprintf(stderr, "liveline backup: a path in %s is too long\n", from);
			rc = -1;
		} else if (lstat(src, &st) != 0 || !S_ISREG(st.st_mode)) {
			continue;
		} else if (cli_backup_file(src, dst) != 0) {
			fprintf(stderr, "liveline backup: copying %s: %s\n", src, strerror(errno));
			rc = -1;
		} else {
			(*files)++;
		}
	}
	closedir(d);
	fd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return rc;
}

int cli_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "media", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static char media_buf[4096], to_buf[4096];
	struct store *st;
	const char *media = NULL, *from, *file;
	char err[512];
	size_t files = 0;
	struct stat sb;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'M': media = optarg; break;
		case 'h': return cli_usage(usage_backup, 0);
		default: return cli_bad_option("backup", usage_backup);
		}
	}
	if (optind != argc - 1 || !*argv[optind])
		return cli_bad_option("backup", usage_backup);
	file = argv[optind];
	if (store_target_is_pg(cli_db)) {
		fprintf(stderr, "liveline backup: %s is a PostgreSQL database: back it up with "
			"pg_dump --format=custom (docs/operations.md, \"Backup and restore\")\n",
			store_target_describe(cli_db, err, sizeof(err)));
		return 1;
	}
	if (strcmp(file, cli_db) == 0 || lstat(file, &sb) == 0) {
		fprintf(stderr, "liveline backup: %s exists: a backup never replaces a file\n", file);
		return 1;
	}
	from = serve_media_dir(media, cli_db, media_buf, sizeof(media_buf), err, sizeof(err));
	if (!from || media_default_dir(file, 0, to_buf, sizeof(to_buf)) < 0) {
		fprintf(stderr, "liveline backup: %s\n", from ? "the backup's path is too long" : err);
		return 1;
	}
	if (cli_backup_dir_empty(to_buf) != 1) {
		fprintf(stderr, "liveline backup: %s holds files already\n", to_buf);
		return 1;
	}
	st = cli_open_store();
	if (!st)
		return 1;
	rc = store_backup(st, file);
	if (rc < 0) {
		fprintf(stderr, "liveline backup: %s\n", store_errmsg(st));
		store_close(st);
		return 1;
	}
	store_close(st);
	if (stat(file, &sb) != 0)
		sb.st_size = 0;
	printf("backed up %s into %s (%lld bytes, checked)\n", cli_db, file,
	       (long long)sb.st_size);
	if (cli_backup_media(from, to_buf, &files) < 0) {
		fprintf(stderr, "liveline backup: the database's copy %s is whole, but its media "
			"folder %s is not\n", file, to_buf);
		return 1;
	}
	printf("copied %zu image file%s from %s into %s\n", files, files == 1 ? "" : "s", from,
	       to_buf);
	return 0;
}
