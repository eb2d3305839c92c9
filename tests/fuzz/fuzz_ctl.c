/*
 * fuzz_ctl.c - libFuzzer target for the control channel's request path:
 * arbitrary bytes through ctl_dispatch() (parse, prefix matching, argument
 * counts, the built-in help, JSON output) against a table shaped like
 * riposted's.  Besides "no crash, no leak" it checks the invariants a client
 * relies on: an ERR or USAGE always says why, as {"error":"..."} when the
 * request has the word --json or -j, and every word a handler gets is a
 * non-empty run of printable bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "lib/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_check_words(const struct ctl_request *req)
{
	if (req->argc < 0 || req->argc > CTL_MAX_ARGS)
		abort();
	for (int i = 0; i < req->argc; i++) {
		const unsigned char *p = (const unsigned char *)req->argv[i];
		if (*p == '\0')
			abort();
		for (; *p != '\0'; p++)
			if (*p <= ' ' || *p == 0x7f)
				abort();
	}
	for (int i = req->argc; i < CTL_MAX_ARGS; i++)
		if (req->argv[i] != NULL)
			abort();
}

/* Echoes its arguments, as text or through the JSON writer. */
static int
fz_echo(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct json_w w;

	fz_check_words(req);
	if (!req->json) {
		for (int i = 0; i < req->argc; i++)
			fprintf(out, "%s%s", i > 0 ? " " : "", req->argv[i]);
		fputc('\n', out);
		return 0;
	}
	json_init(&w, out);
	json_obj_begin(&w);
	json_key(&w, "argc");
	json_int(&w, req->argc);
	json_key(&w, "argv");
	json_arr_begin(&w);
	for (int i = 0; i < req->argc; i++)
		json_str(&w, req->argv[i]);
	json_arr_end(&w);
	json_obj_end(&w);
	if (json_end(&w) != 0)
		abort();
	return 0;
}

static int
fz_fail(void *ctx, const struct ctl_request *req, FILE *out)
{
	fz_check_words(req);
	/* Half a reply, then failure: dispatch must still report ERR. */
	if (req->argc > 0)
		fprintf(out, "cannot %s\n", req->argv[0]);
	return -1;
}

static int
fz_usage(void *ctx, const struct ctl_request *req, FILE *out)
{
	fz_check_words(req);
	fprintf(out, "bad argument\n");
	return CTL_USAGE;
}

/* Does the input have the word --json or -j (split like the parser does)? */
static bool
fz_has_json(const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i < size) {
		while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
		    data[i] == '\n'))
			i++;
		size_t start = i;
		while (i < size && data[i] != ' ' && data[i] != '\t' && data[i] != '\r' &&
		    data[i] != '\n')
			i++;
		if ((i - start == 6 && memcmp(data + start, "--json", 6) == 0) ||
		    (i - start == 2 && memcmp(data + start, "-j", 2) == 0))
			return true;
	}
	return false;
}

static const struct ctl_command fz_table[] = {
	{ "show routes", "[PREFIX]", "the RIP routing table", 0, 1, fz_echo, 0 },
	{ "show interfaces", "[NAME]", "interfaces", 0, 1, fz_echo, 0 },
	{ "show neighbors", NULL, "neighbors", 0, 0, fz_echo, 0 },
	{ "show status", NULL, "status and counters", 0, 0, fz_echo, 0 },
	{ "show", "WHAT", "anything else", 1, 1, fz_echo, 0 },
	{ "set log level", "LEVEL", "log level", 1, 1, fz_echo, 0 },
	{ "set", "KEY VALUE", "a setting", 2, 2, fz_echo, 0 },
	{ "stop", NULL, "stop", 0, 0, fz_echo, 0 },
	{ "echo", "[WORD...]", "echo", 0, CTL_MAX_ARGS, fz_echo, 0 },
	{ "clear", "WHAT", "fails", 1, 3, fz_fail, 0 },
	{ "number", "N", "a usage error", 1, 1, fz_usage, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;
	size_t len;
	int rc;

	rc = ctl_dispatch(fz_table, sizeof(fz_table) / sizeof(fz_table[0]), NULL,
	    (const char *)data, size, &body, &len);
	if (rc != CTL_OK && rc != CTL_ERR && rc != CTL_USAGE)
		abort();
	if (body == NULL || (rc != CTL_OK && len == 0))
		abort();
	/* An error asked for as JSON is one object with one string: no prose. */
	if (rc != CTL_OK && fz_has_json(data, size) &&
	    (len < 13 || memcmp(body, "{\"error\":\"", 10) != 0 ||
	    memcmp(body + len - 3, "\"}\n", 3) != 0 || memchr(body, '\n', len) != body + len - 1))
		abort();
	free(body);

	/* The parser alone, to check what it hands out before matching. */
	if (size <= CTL_MAX_LINE) {
		char line[CTL_MAX_LINE + 1];
		char err[128];
		struct ctl_request req;

		memcpy(line, data, size);
		if (ctl_request_parse(line, size, &req, err, sizeof(err)) == 0) {
			fz_check_words(&req);
			if (req.argc == 0)
				abort();
			/* Matching must leave a well-formed request, found or not. */
			if (ctl_command_find(fz_table, sizeof(fz_table) / sizeof(fz_table[0]),
			    &req, err, sizeof(err)) != NULL)
				fz_check_words(&req);
		} else if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
	}
	return 0;
}
