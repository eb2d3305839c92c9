/*
 * test_ctl.c - the control channel: request parsing, command matching,
 * dispatch and help (table-driven, against dummy tables), the JSON writer,
 * and the server end to end on a temporary unix socket, with the libev loop
 * and the client in this one process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "lib/json.h"

/*
 * Dummy handlers.  echo writes "<words-free args> json=<0|1>" so that a test
 * sees exactly what the handler was given.
 */
static int
t_echo(void *ctx, const struct ctl_request *req, FILE *out)
{
	fprintf(out, "argc=%d", req->argc);
	for (int i = 0; i < req->argc; i++)
		fprintf(out, " [%s]", req->argv[i]);
	fprintf(out, " json=%d\n", req->json);
	return 0;
}

static int
t_fail(void *ctx, const struct ctl_request *req, FILE *out)
{
	fprintf(out, "it failed\n");
	return -1;
}

static int
t_silent_fail(void *ctx, const struct ctl_request *req, FILE *out)
{
	return -7;
}

/* A bad argument: a usage error, not a failure. */
static int
t_badarg(void *ctx, const struct ctl_request *req, FILE *out)
{
	fprintf(out, "'%s' is not a number\n", req->argv[0]);
	return CTL_USAGE;
}

/* "big N": N bytes of a pattern that shows misplaced or lost bytes. */
static int
t_big(void *ctx, const struct ctl_request *req, FILE *out)
{
	long n = strtol(req->argv[0], NULL, 10);

	for (long i = 0; i < n; i++)
		putc('a' + (int)(i % 23), out);
	return 0;
}

static const struct ctl_command t_table[] = {
	{ "show routes", "[PREFIX]", "the routing table", 0, 1, t_echo, 0 },
	{ "show status", NULL, "daemon status", 0, 0, t_echo, 0 },
	{ "show interfaces", "[NAME]", "interfaces", 0, 1, t_echo, 0 },
	{ "stop", NULL, "stop the daemon", 0, 0, t_echo, 0 },
	{ "set debug", "LEVEL", "set the log level", 1, 1, t_echo, 0 },
	{ "echo", "[WORD...]", "echo the words", 0, CTL_MAX_ARGS, t_echo, 0 },
	{ "fail", NULL, "fail with a message", 0, 0, t_fail, 0 },
	{ "quiet", NULL, "fail without a message", 0, 0, t_silent_fail, 0 },
	{ "big", "BYTES", "a long reply", 1, 1, t_big, 0 },
	{ "number", "N", "a usage error from the handler", 1, 1, t_badarg, 0 },
};
#define T_N (sizeof(t_table) / sizeof(t_table[0]))

/*
 * ctl_request_parse
 */

struct parse_case {
	const char *line;
	size_t len;        /* 0: strlen(line) */
	int rc;
	int argc;
	const char *words; /* argv joined by '|' */
	bool json;
	const char *err;   /* prefix of the message */
};

static void
test_request_parse(void **state)
{
	static const struct parse_case cases[] = {
		{ "show routes", 0, 0, 2, "show|routes", false, NULL },
		{ "show routes\n", 0, 0, 2, "show|routes", false, NULL },
		{ "show routes\r\n", 0, 0, 2, "show|routes", false, NULL },
		{ "  show \t\t routes  \t\n", 0, 0, 2, "show|routes", false, NULL },
		{ "\tx", 0, 0, 1, "x", false, NULL },
		{ "show --json routes", 0, 0, 2, "show|routes", true, NULL },
		{ "-j show routes", 0, 0, 2, "show|routes", true, NULL },
		{ "show routes -j --json", 0, 0, 2, "show|routes", true, NULL },
		{ "--jsonx", 0, 0, 1, "--jsonx", false, NULL },
		{ "show \xc3\xa9t\xc3\xa9", 0, 0, 2, "show|\xc3\xa9t\xc3\xa9", false, NULL },
		{ "", 0, -1, 0, NULL, false, "empty request" },
		{ "\n", 0, -1, 0, NULL, false, "empty request" },
		{ " \t \r\n", 0, -1, 0, NULL, false, "empty request" },
		{ "--json\n", 0, -1, 0, NULL, false, "empty request" },
		{ "show\x01routes", 0, -1, 0, NULL, false, "control character 0x01 at byte 5" },
		{ "show\x7f", 0, -1, 0, NULL, false, "control character 0x7f" },
		{ "show\nroutes\n", 0, -1, 0, NULL, false, "control character 0x0a" },
		{ "show\rroutes", 0, -1, 0, NULL, false, "control character 0x0d" },
		{ "show\0routes", 11, -1, 0, NULL, false, "control character 0x00" },
		{ "show\x1b[2J", 0, -1, 0, NULL, false, "control character 0x1b" },
		{ "a b c d e f g h i j k l m n o p", 0, 0, 16,
		    "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p", false, NULL },
		{ "a b c d e f g h i j k l m n o p --json -j", 0, 0, 16,
		    "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p", true, NULL },
		{ "a b c d e f g h i j k l m n o p q", 0, -1, 0, NULL, false,
		    "too many words in the request (at most 16)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = &cases[i];
		size_t len = c->len != 0 ? c->len : strlen(c->line);
		char line[CTL_MAX_LINE + 1], err[128] = "", joined[CTL_MAX_LINE] = "";
		struct ctl_request req;

		memcpy(line, c->line, len);
		int rc = ctl_request_parse(line, len, &req, err, sizeof(err));
		if (rc != c->rc)
			fail_msg("case %zu (%s): rc %d, err '%s'", i, c->line, rc, err);
		if (rc < 0) {
			assert_memory_equal(err, c->err, strlen(c->err));
			continue;
		}
		assert_int_equal(req.argc, c->argc);
		assert_int_equal(req.json, c->json);
		for (int j = 0; j < req.argc; j++) {
			if (j > 0)
				strcat(joined, "|");
			strcat(joined, req.argv[j]);
		}
		assert_string_equal(joined, c->words);
		for (int j = req.argc; j < CTL_MAX_ARGS; j++)
			assert_null(req.argv[j]);
	}
}

static void
test_request_parse_length(void **state)
{
	char line[CTL_MAX_LINE + 2], err[128];
	struct ctl_request req;

	/* Exactly CTL_MAX_LINE bytes with the LF: the longest legal request. */
	memset(line, 'x', CTL_MAX_LINE - 1);
	line[CTL_MAX_LINE - 1] = '\n';
	assert_int_equal(ctl_request_parse(line, CTL_MAX_LINE, &req, err, sizeof(err)), 0);
	assert_int_equal(req.argc, 1);
	assert_int_equal(strlen(req.argv[0]), CTL_MAX_LINE - 1);

	/* CTL_MAX_LINE bytes without a LF are legal too (end of input). */
	memset(line, 'x', CTL_MAX_LINE);
	assert_int_equal(ctl_request_parse(line, CTL_MAX_LINE, &req, err, sizeof(err)), 0);

	memset(line, 'x', CTL_MAX_LINE + 1);
	assert_int_equal(ctl_request_parse(line, CTL_MAX_LINE + 1, &req, err, sizeof(err)), -1);
	assert_string_equal(err, "request too long (at most 1024 bytes)");

	/* A tiny or absent error buffer is not written past. */
	char tiny[4] = "zzz";
	memcpy(line, "\x01", 2);
	assert_int_equal(ctl_request_parse(line, 1, &req, tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "con");
	assert_int_equal(ctl_request_parse(line, 1, &req, NULL, 0), -1);
}

/*
 * ctl_command_find
 */

struct find_case {
	const char *line;
	const char *words; /* the command found, NULL for an error */
	const char *args;  /* the handler's argv joined by '|' */
	bool json;
	const char *err;
};

static void
run_find_cases(const struct ctl_command *table, size_t n, const struct find_case *cases,
    size_t ncases)
{
	for (size_t i = 0; i < ncases; i++) {
		const struct find_case *c = &cases[i];
		char line[CTL_MAX_LINE + 1], err[256] = "", joined[CTL_MAX_LINE] = "";
		struct ctl_request req;

		strcpy(line, c->line);
		assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, sizeof(err)), 0);
		const struct ctl_command *cmd = ctl_command_find(table, n, &req, err, sizeof(err));
		if (c->words == NULL) {
			if (cmd != NULL)
				fail_msg("case '%s': found '%s', expected error '%s'", c->line,
				    cmd->words, c->err);
			assert_string_equal(err, c->err);
			continue;
		}
		if (cmd == NULL)
			fail_msg("case '%s': error '%s'", c->line, err);
		assert_string_equal(cmd->words, c->words);
		assert_int_equal(req.json, c->json);
		for (int j = 0; j < req.argc; j++) {
			if (j > 0)
				strcat(joined, "|");
			strcat(joined, req.argv[j]);
		}
		assert_string_equal(joined, c->args);
		for (int j = req.argc; j < CTL_MAX_ARGS; j++)
			assert_null(req.argv[j]);
	}
}

static void
test_command_find(void **state)
{
	static const struct find_case cases[] = {
		{ "show routes", "show routes", "", false, NULL },
		{ "show routes 10.0.0.0/8", "show routes", "10.0.0.0/8", false, NULL },
		{ "sh ro 10.0.0.0/8", "show routes", "10.0.0.0/8", false, NULL },
		{ "s r", NULL, NULL, false, "ambiguous command 's': show, stop, set" },
		{ "sh", NULL, NULL, false,
		    "incomplete command 'sh': show routes, show status, show interfaces" },
		{ "show", NULL, NULL, false,
		    "incomplete command 'show': show routes, show status, show interfaces" },
		{ "sh s", "show status", "", false, NULL },
		{ "show i eth0", "show interfaces", "eth0", false, NULL },
		{ "st", "stop", "", false, NULL },
		{ "shoe", NULL, NULL, false, "unknown command 'shoe'" },
		{ "show foo", NULL, NULL, false, "unknown command 'show foo'" },
		{ "sh rou x y", NULL, NULL, false,
		    "too many arguments for 'show routes' (usage: show routes [PREFIX])" },
		{ "show status now", NULL, NULL, false,
		    "no arguments allowed for 'show status' (usage: show status)" },
		{ "set debug", NULL, NULL, false,
		    "missing argument for 'set debug' (usage: set debug LEVEL)" },
		{ "se de 7", "set debug", "7", false, NULL },
		{ "--json sh ro", "show routes", "", true, NULL },
		{ "sh --json ro 1.2.3.0/24", "show routes", "1.2.3.0/24", true, NULL },
		{ "sh ro 1.2.3.0/24 -j", "show routes", "1.2.3.0/24", true, NULL },
		/* Arguments are not matched: "show" here is an argument of echo. */
		{ "echo show routes", "echo", "show|routes", false, NULL },
		{ "echo a b c d e f g h i j k l m n o", "echo", "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o",
		    false, NULL },
		{ "help", "help", "", false, NULL },
		{ "he show", "help", "show", false, NULL },
		{ "HELP", NULL, NULL, false, "unknown command 'HELP'" },
	};

	run_find_cases(t_table, T_N, cases, sizeof(cases) / sizeof(cases[0]));
}

/* A table where a command is a prefix of others, word-wise and letter-wise. */
static const struct ctl_command t_nested[] = {
	{ "show", "[WHAT]", "show something", 0, 1, t_echo, 0 },
	{ "show routes", NULL, "routes", 0, 0, t_echo, 0 },
	{ "show rip", NULL, "rip", 0, 0, t_echo, 0 },
	{ "showall", NULL, "everything", 0, 0, t_echo, 0 },
	{ "help", "[X]", "our own help", 0, 1, t_echo, 0 },
	{ "hello", NULL, "hi", 0, 0, t_echo, 0 },
};

static void
test_command_find_nested(void **state)
{
	static const struct find_case cases[] = {
		/* Exact beats prefix: "show" is not ambiguous with "showall". */
		{ "show", "show", "", false, NULL },
		{ "sho", NULL, NULL, false, "ambiguous command 'sho': show, showall" },
		{ "showa", "showall", "", false, NULL },
		/* The longer command wins when the word matches it... */
		{ "show routes", "show routes", "", false, NULL },
		{ "show ro", "show routes", "", false, NULL },
		{ "show ri", "show rip", "", false, NULL },
		/* ...else the word is an argument of the shorter. */
		{ "show neighbors", "show", "neighbors", false, NULL },
		{ "show r", NULL, NULL, false, "ambiguous command 'show r': show routes, show rip" },
		/* A table with its own help replaces the built-in one. */
		{ "help", "help", "", false, NULL },
		{ "help x", "help", "x", false, NULL },
		{ "hel", NULL, NULL, false, "ambiguous command 'hel': help, hello" },
	};

	run_find_cases(t_nested, sizeof(t_nested) / sizeof(t_nested[0]), cases,
	    sizeof(cases) / sizeof(cases[0]));

	/* The table's help is the table's, not the built-in (fn NULL). */
	char line[] = "help";
	char err[128];
	struct ctl_request req;
	assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, sizeof(err)), 0);
	const struct ctl_command *cmd = ctl_command_find(t_nested,
	    sizeof(t_nested) / sizeof(t_nested[0]), &req, err, sizeof(err));
	assert_non_null(cmd);
	assert_ptr_equal(cmd, &t_nested[4]);
}

static void
test_command_find_builtin_help(void **state)
{
	char line[] = "h show", err[128];
	struct ctl_request req;

	assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, sizeof(err)), 0);
	const struct ctl_command *cmd = ctl_command_find(t_table, T_N, &req, err, sizeof(err));
	assert_non_null(cmd);
	assert_string_equal(cmd->words, "help");
	assert_null(cmd->fn);
	assert_int_equal(req.argc, 1);
	assert_string_equal(req.argv[0], "show");

	/* An empty table still has help. */
	char line2[] = "help";
	assert_int_equal(ctl_request_parse(line2, strlen(line2), &req, err, sizeof(err)), 0);
	cmd = ctl_command_find(NULL, 0, &req, err, sizeof(err));
	assert_non_null(cmd);
	assert_null(cmd->fn);
}

/*
 * ctl_dispatch
 */

struct dispatch_case {
	const char *line;
	int rc;
	const char *body;
};

static void
test_dispatch(void **state)
{
	static const struct dispatch_case cases[] = {
		{ "show routes\n", 0, "argc=0 json=0\n" },
		{ "sh ro 10.0.0.0/8 --json\n", 0, "argc=1 [10.0.0.0/8] json=1\n" },
		{ "echo  a\tb \n", 0, "argc=2 [a] [b] json=0\n" },
		{ "echo a b c\r\n", 0, "argc=3 [a] [b] [c] json=0\n" },
		{ "fail\n", CTL_ERR, "it failed\n" },
		{ "quiet\n", CTL_ERR, "'quiet' failed\n" },
		{ "nope\n", CTL_USAGE, "unknown command 'nope'\n" },
		{ "s\n", CTL_USAGE, "ambiguous command 's': show, stop, set\n" },
		{ "show\n", CTL_USAGE, "incomplete command 'show': show routes, show status, "
		    "show interfaces\n" },
		{ "set debug\n", CTL_USAGE, "missing argument for 'set debug' (usage: set debug "
		    "LEVEL)\n" },
		{ "stop now\n", CTL_USAGE, "no arguments allowed for 'stop' (usage: stop)\n" },
		{ "number x\n", CTL_USAGE, "'x' is not a number\n" },
		{ "\n", CTL_USAGE, "empty request (try 'help')\n" },
		{ "show\x02\n", CTL_USAGE, "control character 0x02 at byte 5 of the request\n" },
		{ "big 0\n", 0, "" },
		{ "big 5\n", 0, "abcde" },
		/* With --json (or -j, anywhere) every error is {"error":...}. */
		{ "fail --json\n", CTL_ERR, "{\"error\":\"it failed\"}\n" },
		{ "-j quiet\n", CTL_ERR, "{\"error\":\"'quiet' failed\"}\n" },
		{ "nope -j\n", CTL_USAGE, "{\"error\":\"unknown command 'nope'\"}\n" },
		{ "--json s\n", CTL_USAGE,
		    "{\"error\":\"ambiguous command 's': show, stop, set\"}\n" },
		{ "number \"x\" --json\n", CTL_USAGE, "{\"error\":\"'\\\"x\\\"' is not a number\"}\n" },
		{ "--json\n", CTL_USAGE, "{\"error\":\"empty request (try 'help')\"}\n" },
		/* Refused by the parser, still JSON: the word is found without it. */
		{ "show\x02 --json\r\n", CTL_USAGE,
		    "{\"error\":\"control character 0x02 at byte 5 of the request\"}\n" },
		{ "help zz --json\n", CTL_USAGE,
		    "{\"error\":\"no command starts with 'zz' (try 'help')\"}\n" },
		/* Not the word --json: text. */
		{ "nope --jsonx\n", CTL_USAGE, "unknown command 'nope'\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *body;
		size_t len;
		int rc = ctl_dispatch(t_table, T_N, NULL, cases[i].line, strlen(cases[i].line),
		    &body, &len);
		assert_int_equal(rc, cases[i].rc);
		assert_non_null(body);
		assert_int_equal(len, strlen(cases[i].body));
		assert_memory_equal(body, cases[i].body, len);
		free(body);
	}

	/* Too long: the message, and the caller's line untouched. */
	size_t big = 3 * CTL_MAX_LINE;
	char *line = malloc(big);
	char *body;
	size_t len;
	assert_non_null(line);
	memset(line, 'y', big);
	assert_int_equal(ctl_dispatch(t_table, T_N, NULL, line, big, &body, &len), CTL_USAGE);
	assert_string_equal(body, "request too long (at most 1024 bytes)\n");
	for (size_t i = 0; i < big; i++)
		assert_int_equal(line[i], 'y');
	free(body);
	memcpy(line + big - 7, " --json", 7);
	assert_int_equal(ctl_dispatch(t_table, T_N, NULL, line, big, &body, &len), CTL_USAGE);
	assert_string_equal(body, "{\"error\":\"request too long (at most 1024 bytes)\"}\n");
	free(body);
	free(line);

	assert_string_equal(ctl_status_word(CTL_OK), "OK");
	assert_string_equal(ctl_status_word(CTL_ERR), "ERR");
	assert_string_equal(ctl_status_word(CTL_USAGE), "USAGE");
}

static char *
dispatch_ok(const struct ctl_command *table, size_t n, const char *line)
{
	char *body;
	size_t len;

	assert_int_equal(ctl_dispatch(table, n, NULL, line, strlen(line), &body, &len), 0);
	assert_int_equal(strlen(body), len);
	return body;
}

static void
test_help(void **state)
{
	char *body = dispatch_ok(t_table, T_N, "help\n");

	/* Every command with its usage and help line, aligned, help last. */
	assert_string_equal(body,
	    "show routes [PREFIX]    the routing table\n"
	    "show status             daemon status\n"
	    "show interfaces [NAME]  interfaces\n"
	    "stop                    stop the daemon\n"
	    "set debug LEVEL         set the log level\n"
	    "echo [WORD...]          echo the words\n"
	    "fail                    fail with a message\n"
	    "quiet                   fail without a message\n"
	    "big BYTES               a long reply\n"
	    "number N                a usage error from the handler\n"
	    "help [COMMAND]          list the commands, or those that start with COMMAND\n"
	    "\n"
	    "Words may be abbreviated to a unique prefix (\"sh ro\"); --json gives JSON output.\n");
	free(body);

	/* Filtered by prefix, word by word. */
	body = dispatch_ok(t_table, T_N, "h sh r\n");
	assert_memory_equal(body, "show routes [PREFIX]  the routing table\n\n", 41);
	assert_null(strstr(body, "show status"));
	free(body);

	char *err;
	size_t len;
	assert_int_equal(ctl_dispatch(t_table, T_N, NULL, "help zz\n", 8, &err, &len), CTL_USAGE);
	assert_string_equal(err, "no command starts with 'zz' (try 'help')\n");
	free(err);

	/* JSON. */
	static const struct ctl_command one[] = {
		{ "show \"q\"", NULL, "tab\there", 0, 0, t_echo, 0 },
	};
	body = dispatch_ok(one, 1, "help --json\n");
	assert_string_equal(body,
	    "{\"commands\":["
	    "{\"command\":\"show \\\"q\\\"\",\"args\":null,\"help\":\"tab\\there\"},"
	    "{\"command\":\"help\",\"args\":\"[COMMAND]\","
	    "\"help\":\"list the commands, or those that start with COMMAND\"}"
	    "]}\n");
	free(body);
}

/*
 * The JSON writer
 */

static char *
json_capture(void (*fn)(FILE *), size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f);
	assert_int_equal(fclose(f), 0);
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static void
json_escape_fn(FILE *f)
{
	json_string(f, "a\"b\\c/\n\r\t\b\f\x01\x1f\x7f \xc3\xa9\xff~");
}

static void
json_null_fn(FILE *f)
{
	json_string(f, NULL);
}

static void
json_nul_fn(FILE *f)
{
	json_string_n(f, "a\0b", 3);
}

static void
test_json_string(void **state)
{
	char *s = json_capture(json_escape_fn, NULL);
	assert_string_equal(s, "\"a\\\"b\\\\c/\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f "
	    "\xc3\xa9\xff~\"");
	free(s);

	s = json_capture(json_null_fn, NULL);
	assert_string_equal(s, "null");
	free(s);

	s = json_capture(json_nul_fn, NULL);
	assert_string_equal(s, "\"a\\u0000b\"");
	free(s);

	/* Every byte below 0x20 is escaped, and nothing else below 0x80 but " \ DEL. */
	for (int c = 1; c < 0x80; c++) {
		char in[2] = { (char)c, 0 }, *out;
		size_t len;
		FILE *f = open_memstream(&out, &len);
		json_string(f, in);
		fclose(f);
		if (c < 0x20 || c == 0x7f)
			assert_true(out[1] == '\\');
		else if (c == '"' || c == '\\')
			assert_int_equal(len, 4);
		else
			assert_int_equal(len, 3);
		free(out);
	}
}

static void
json_doc_fn(FILE *f)
{
	struct json_w w;

	json_init(&w, f);
	json_obj_begin(&w);
	json_key(&w, "a");
	json_int(&w, 1);
	json_key(&w, "b");
	json_arr_begin(&w);
	json_bool(&w, true);
	json_bool(&w, false);
	json_null(&w);
	json_str(&w, "x\"");
	json_arr_begin(&w);
	json_arr_end(&w);
	json_obj_begin(&w);
	json_obj_end(&w);
	json_arr_end(&w);
	json_key(&w, "c");
	json_obj_begin(&w);
	json_key(&w, "d");
	json_int(&w, INT64_MIN);
	json_key(&w, "e\n");
	json_uint(&w, UINT64_MAX);
	json_obj_end(&w);
	json_key(&w, "f");
	json_str(&w, NULL);
	json_obj_end(&w);
	assert_int_equal(json_end(&w), 0);
}

static void
test_json_writer(void **state)
{
	char *s = json_capture(json_doc_fn, NULL);

	assert_string_equal(s, "{\"a\":1,\"b\":[true,false,null,\"x\\\"\",[],{}],"
	    "\"c\":{\"d\":-9223372036854775808,\"e\\n\":18446744073709551615},\"f\":null}\n");
	free(s);
}

/* Each misuse makes json_end() fail, and nothing is written out of bounds. */
static void
test_json_misuse(void **state)
{
	struct json_w w;
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);

	json_init(&w, f);	/* a value in an object without its key */
	json_obj_begin(&w);
	json_int(&w, 1);
	json_obj_end(&w);
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* a key in an array */
	json_arr_begin(&w);
	json_key(&w, "k");
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* two keys in a row */
	json_obj_begin(&w);
	json_key(&w, "k");
	json_key(&w, "l");
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* a key without a value */
	json_obj_begin(&w);
	json_key(&w, "k");
	json_obj_end(&w);
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* the wrong end */
	json_obj_begin(&w);
	json_arr_end(&w);
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* an end without a begin */
	json_obj_end(&w);
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* not closed */
	json_arr_begin(&w);
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* a NULL key */
	json_obj_begin(&w);
	json_key(&w, NULL);
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* too deep */
	for (int i = 0; i < JSON_MAX_DEPTH + 5; i++)
		json_arr_begin(&w);
	assert_int_equal(w.depth, JSON_MAX_DEPTH);
	assert_true(w.err);
	assert_int_equal(json_end(&w), -1);

	json_init(&w, f);	/* the deepest legal document */
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_begin(&w);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_end(&w);
	assert_int_equal(json_end(&w), 0);

	fclose(f);
	free(buf);
}

/*
 * The server, end to end.
 */

struct e2e {
	char dir[64];
	char path[128];
	struct ev_loop *loop;
	struct ctl_server *srv;
};

static int
e2e_setup(void **state)
{
	struct e2e *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return -1;
	strcpy(e->dir, "/tmp/test_ctl.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->path, sizeof(e->path), "%s/ctl.sock", e->dir);
	e->loop = ev_loop_new(EVFLAG_AUTO);
	if (e->loop == NULL)
		return -1;
	*state = e;
	return 0;
}

static int
e2e_teardown(void **state)
{
	struct e2e *e = *state;

	ctl_server_stop(e->srv);
	unlink(e->path);
	rmdir(e->dir);
	ev_loop_destroy(e->loop);
	free(e);
	return 0;
}

static int
client_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What a client received: the raw bytes, and whether the server hung up. */
struct rx {
	char *buf;
	size_t len, cap;
	bool eof;
};

/*
 * Send req (all of it), then run the server loop and read until `until`
 * says the bytes so far are enough (no `until`: at once), the server hangs
 * up, or 10 s pass.
 */
static void
exchange(struct ev_loop *loop, int fd, const char *req, size_t req_len, struct rx *rx,
    bool (*until)(const struct rx *, void *), void *arg)
{
	double deadline = mono() + 10;

	while (mono() < deadline) {
		bool progress = false;

		if (req_len > 0) {
			ssize_t w = send(fd, req, req_len, MSG_NOSIGNAL);
			if (w > 0) {
				req += w;
				req_len -= (size_t)w;
				progress = true;
			} else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				req_len = 0;	/* the server hung up: the rest is moot */
		}
		ev_run(loop, EVRUN_NOWAIT);
		for (;;) {
			if (rx->cap - rx->len < 65536) {
				rx->cap = rx->cap * 2 + 65536;
				rx->buf = realloc(rx->buf, rx->cap);
				assert_non_null(rx->buf);
			}
			ssize_t r = recv(fd, rx->buf + rx->len, rx->cap - rx->len, 0);
			if (r > 0) {
				rx->len += (size_t)r;
				progress = true;
				continue;
			}
			if (r == 0)
				rx->eof = true;
			break;
		}
		if (req_len == 0 && (rx->eof || until == NULL || until(rx, arg)))
			return;
		if (!progress)
			usleep(500);
	}
	fail_msg("exchange timed out with %zu bytes received", rx->len);
}

/*
 * Split rx into framed replies.  Returns how many complete replies there
 * are; fails the test on a malformed status line.
 */
struct reply {
	bool ok;
	int status;	/* CTL_OK, CTL_ERR, CTL_USAGE */
	const char *body;
	size_t len;
};

static int
frames(const struct rx *rx, struct reply *out, int max)
{
	size_t pos = 0;
	int n = 0;

	while (pos < rx->len && n < max) {
		char *nl = memchr(rx->buf + pos, '\n', rx->len - pos);
		if (nl == NULL)
			break;
		char hdr[40];
		size_t hl = (size_t)(nl - (rx->buf + pos));
		assert_true(hl < sizeof(hdr));
		memcpy(hdr, rx->buf + pos, hl);
		hdr[hl] = '\0';
		unsigned long long blen;
		char st[6];
		int consumed = 0;
		if (sscanf(hdr, "%5[A-Z] %llu%n", st, &blen, &consumed) != 2 ||
		    (size_t)consumed != hl)
			fail_msg("bad status line '%s'", hdr);
		assert_true(strcmp(st, "OK") == 0 || strcmp(st, "ERR") == 0 ||
		    strcmp(st, "USAGE") == 0);
		if (rx->len - (pos + hl + 1) < blen)
			break;
		out[n].ok = strcmp(st, "OK") == 0;
		out[n].status = out[n].ok ? CTL_OK : strcmp(st, "ERR") == 0 ? CTL_ERR : CTL_USAGE;
		out[n].body = nl + 1;
		out[n].len = (size_t)blen;
		n++;
		pos += hl + 1 + (size_t)blen;
	}
	return n;
}

static bool
until_replies(const struct rx *rx, void *arg)
{
	struct reply r[64];

	return frames(rx, r, 64) >= *(int *)arg;
}

static void
rx_reset(struct rx *rx)
{
	free(rx->buf);
	memset(rx, 0, sizeof(*rx));
}

static void
test_server_pipelined(void **state)
{
	struct e2e *e = *state;
	struct stat st;
	struct rx rx = { 0 };
	struct reply r[8];
	int want = 4;
	const size_t big = 5 * 1000 * 1000;

	e->srv = ctl_server_start(e->loop, e->path, t_table, T_N, NULL);
	assert_non_null(e->srv);
	assert_int_equal(stat(e->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);

	int fd = client_connect(e->path);
	assert_true(fd >= 0);
	/* The big reply in the middle: the next one must wait for it, in order. */
	const char *req = "show status\nbig 5000000\nsh ro 10.0.0.0/8 -j\nnope\nfail -j\n";
	want = 5;
	exchange(e->loop, fd, req, strlen(req), &rx, until_replies, &want);
	assert_int_equal(frames(&rx, r, 8), 5);
	assert_true(r[0].ok);
	assert_int_equal(r[0].len, strlen("argc=0 json=0\n"));
	assert_memory_equal(r[0].body, "argc=0 json=0\n", r[0].len);
	assert_true(r[1].ok);
	assert_int_equal(r[1].len, big);
	for (size_t i = 0; i < big; i++)
		if (r[1].body[i] != 'a' + (int)(i % 23))
			fail_msg("big body wrong at byte %zu", i);
	assert_true(r[2].ok);
	assert_memory_equal(r[2].body, "argc=1 [10.0.0.0/8] json=1\n", r[2].len);
	assert_int_equal(r[3].status, CTL_USAGE);
	assert_memory_equal(r[3].body, "unknown command 'nope'\n", r[3].len);
	assert_int_equal(r[4].status, CTL_ERR);
	assert_int_equal(r[4].len, strlen("{\"error\":\"it failed\"}\n"));
	assert_memory_equal(r[4].body, "{\"error\":\"it failed\"}\n", r[4].len);
	/* Nothing after the last reply, and the connection stays open. */
	assert_false(rx.eof);
	assert_int_equal(r[4].body + r[4].len, rx.buf + rx.len);

	/* The same connection serves on, a byte at a time too. */
	rx_reset(&rx);
	want = 1;
	for (const char *p = "stop\n"; *p != '\0'; p++) {
		exchange(e->loop, fd, p, 1, &rx, NULL, NULL);
	}
	exchange(e->loop, fd, "", 0, &rx, until_replies, &want);
	assert_int_equal(frames(&rx, r, 8), 1);
	assert_true(r[0].ok);
	rx_reset(&rx);
	close(fd);

	ctl_server_stop(e->srv);
	e->srv = NULL;
	assert_int_equal(stat(e->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

/* Run the server loop for a while. */
static void
spin(struct ev_loop *loop, int ms)
{
	double end = mono() + ms / 1000.0;

	while (mono() < end) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(200);
	}
}

static void
test_server_overlong(void **state)
{
	struct e2e *e = *state;
	struct rx rx = { 0 };
	struct reply r[2];
	char line[3 * CTL_MAX_LINE];

	e->srv = ctl_server_start(e->loop, e->path, t_table, T_N, NULL);
	assert_non_null(e->srv);
	int fd = client_connect(e->path);
	assert_true(fd >= 0);

	/* A good request, then an endless line: the answer, an ERR, and the hang-up. */
	memcpy(line, "stop\n", 5);
	memset(line + 5, 'x', sizeof(line) - 5);
	exchange(e->loop, fd, line, sizeof(line), &rx, NULL, NULL);
	while (!rx.eof)
		exchange(e->loop, fd, "", 0, &rx, NULL, NULL);
	assert_int_equal(frames(&rx, r, 2), 2);
	assert_true(r[0].ok);
	assert_int_equal(r[1].status, CTL_USAGE);
	assert_memory_equal(r[1].body, "request too long (at most 1024 bytes)\n", r[1].len);
	rx_reset(&rx);
	close(fd);

	/* The same with --json at its start: the error is JSON. */
	fd = client_connect(e->path);
	assert_true(fd >= 0);
	memcpy(line, "echo --json ", 12);
	memset(line + 12, 'x', sizeof(line) - 12);
	exchange(e->loop, fd, line, sizeof(line), &rx, NULL, NULL);
	while (!rx.eof)
		exchange(e->loop, fd, "", 0, &rx, NULL, NULL);
	assert_int_equal(frames(&rx, r, 2), 1);
	assert_int_equal(r[0].status, CTL_USAGE);
	assert_int_equal(r[0].len, strlen("{\"error\":\"request too long (at most 1024 bytes)\"}\n"));
	assert_memory_equal(r[0].body, "{\"error\":\"request too long (at most 1024 bytes)\"}\n",
	    r[0].len);
	rx_reset(&rx);
	close(fd);

	/* Exactly CTL_MAX_LINE bytes with the LF is still a request. */
	fd = client_connect(e->path);
	assert_true(fd >= 0);
	int want = 1;
	memcpy(line, "echo ", 5);
	memset(line + 5, 'x', CTL_MAX_LINE - 6);
	line[CTL_MAX_LINE - 1] = '\n';
	exchange(e->loop, fd, line, CTL_MAX_LINE, &rx, until_replies, &want);
	assert_int_equal(frames(&rx, r, 2), 1);
	assert_true(r[0].ok);
	assert_int_equal(r[0].len, strlen("argc=1 [] json=0\n") + CTL_MAX_LINE - 6);
	rx_reset(&rx);
	close(fd);
}

static void
test_server_eof(void **state)
{
	struct e2e *e = *state;
	struct rx rx = { 0 };
	struct reply r[2];

	e->srv = ctl_server_start(e->loop, e->path, t_table, T_N, NULL);
	assert_non_null(e->srv);

	/* `printf 'show status' | nc -U`: no LF, then end of input. */
	int fd = client_connect(e->path);
	assert_true(fd >= 0);
	exchange(e->loop, fd, "sh st", 5, &rx, NULL, NULL);
	shutdown(fd, SHUT_WR);
	while (!rx.eof)
		exchange(e->loop, fd, "", 0, &rx, NULL, NULL);
	assert_int_equal(frames(&rx, r, 2), 1);
	assert_true(r[0].ok);
	assert_memory_equal(r[0].body, "argc=0 json=0\n", r[0].len);
	rx_reset(&rx);
	close(fd);

	/*
	 * A client that goes away in the middle of a 5 MB reply: no SIGPIPE
	 * (it would end this test), and the server serves on.
	 */
	fd = client_connect(e->path);
	assert_true(fd >= 0);
	exchange(e->loop, fd, "big 5000000\n", 12, &rx, NULL, NULL);
	spin(e->loop, 20);
	close(fd);
	spin(e->loop, 20);
	rx_reset(&rx);

	fd = client_connect(e->path);
	assert_true(fd >= 0);
	int want = 1;
	exchange(e->loop, fd, "stop\n", 5, &rx, until_replies, &want);
	assert_int_equal(frames(&rx, r, 2), 1);
	assert_true(r[0].ok);
	rx_reset(&rx);
	close(fd);
}

static void
test_server_max_clients(void **state)
{
	struct e2e *e = *state;
	int fds[CTL_MAX_CLIENTS];
	struct rx rx = { 0 };
	struct reply r[2];

	e->srv = ctl_server_start(e->loop, e->path, t_table, T_N, NULL);
	assert_non_null(e->srv);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fds[i] = client_connect(e->path);
		assert_true(fds[i] >= 0);
		/* Keep the backlog short: accept as we go. */
		ev_run(e->loop, EVRUN_NOWAIT);
	}
	spin(e->loop, 20);

	/* One too many: an ERR, then the hang-up. */
	int extra = client_connect(e->path);
	assert_true(extra >= 0);
	while (!rx.eof)
		exchange(e->loop, extra, "", 0, &rx, NULL, NULL);
	assert_int_equal(frames(&rx, r, 2), 1);
	assert_int_equal(r[0].status, CTL_ERR);
	assert_memory_equal(r[0].body, "too many control connections\n", r[0].len);
	rx_reset(&rx);
	close(extra);

	/* The 64 are still served; when one leaves, a newcomer is welcome. */
	int want = 1;
	exchange(e->loop, fds[17], "stop\n", 5, &rx, until_replies, &want);
	assert_int_equal(frames(&rx, r, 2), 1);
	assert_true(r[0].ok);
	rx_reset(&rx);
	close(fds[0]);
	spin(e->loop, 20);
	fds[0] = client_connect(e->path);
	assert_true(fds[0] >= 0);
	exchange(e->loop, fds[0], "stop\n", 5, &rx, until_replies, &want);
	assert_int_equal(frames(&rx, r, 2), 1);
	assert_true(r[0].ok);
	rx_reset(&rx);

	/* Stopping the server closes every client. */
	ctl_server_stop(e->srv);
	e->srv = NULL;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		char c;
		assert_int_equal(recv(fds[i], &c, 1, 0), 0);
		close(fds[i]);
	}
}

static void
test_server_socket_file(void **state)
{
	struct e2e *e = *state;
	struct sockaddr_un sa;
	struct stat st;

	/* A stale socket (bound, nobody listening) is replaced. */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, e->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(stat(e->path, &st), 0);
	e->srv = ctl_server_start(e->loop, e->path, t_table, T_N, NULL);
	assert_non_null(e->srv);

	/* A live one is not. */
	errno = 0;
	assert_null(ctl_server_start(e->loop, e->path, t_table, T_N, NULL));
	assert_int_equal(errno, EADDRINUSE);
	spin(e->loop, 10);	/* the probe connection comes and goes */

	/*
	 * If the path was taken over (here: unlinked and reused by a second
	 * server), stopping the first leaves the second's socket alone.
	 */
	assert_int_equal(unlink(e->path), 0);
	struct ctl_server *second = ctl_server_start(e->loop, e->path, t_table, T_N, NULL);
	assert_non_null(second);
	ctl_server_stop(e->srv);
	e->srv = second;
	assert_int_equal(stat(e->path, &st), 0);
	ctl_server_stop(e->srv);
	e->srv = NULL;
	assert_int_equal(stat(e->path, &st), -1);

	/* Something that is not a socket is never deleted. */
	FILE *f = fopen(e->path, "w");
	assert_non_null(f);
	fclose(f);
	errno = 0;
	assert_null(ctl_server_start(e->loop, e->path, t_table, T_N, NULL));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(stat(e->path, &st), 0);
	unlink(e->path);

	/* A path too long for sun_path. */
	char longpath[200];
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	errno = 0;
	assert_null(ctl_server_start(e->loop, longpath, t_table, T_N, NULL));
	assert_int_equal(errno, ENAMETOOLONG);

	/* A directory that does not exist. */
	errno = 0;
	assert_null(ctl_server_start(e->loop, "/nonexistent-dir/x.sock", t_table, T_N, NULL));
	assert_int_equal(errno, ENOENT);
}

/* The socket file's mode and group as asked, and full access follows its group. */
static void
test_server_socket_opts(void **state)
{
	struct e2e *e = *state;
	struct stat st;
	struct ctl_server_opts o = { 0600, CTL_NO_GROUP, CTL_NO_GROUP };

	e->srv = ctl_server_start_opts(e->loop, e->path, t_table, T_N, NULL, &o);
	assert_non_null(e->srv);
	assert_int_equal(stat(e->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_gid, getegid());
	ctl_server_stop(e->srv);
	e->srv = NULL;

	/* Another group: only root may give a file to a group it is not in. */
	o.mode = 0666;
	o.group = geteuid() == 0 ? 1 : getegid();
	e->srv = ctl_server_start_opts(e->loop, e->path, t_table, T_N, NULL, &o);
	assert_non_null(e->srv);
	assert_int_equal(stat(e->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0666);
	assert_int_equal(st.st_gid, o.group);
}

static void
test_access(void **state)
{
	const gid_t groups[] = { 10, 20, 30 };

	(void)state;
	/* root always; the full group by primary or supplementary membership. */
	assert_int_equal(ctl_access_of(0, 999, NULL, 0, CTL_NO_GROUP, CTL_NO_GROUP),
	    CTL_ACCESS_FULL);
	assert_int_equal(ctl_access_of(1000, 5, NULL, 0, 5, 7), CTL_ACCESS_FULL);
	assert_int_equal(ctl_access_of(1000, 1000, groups, 3, 20, 7), CTL_ACCESS_FULL);
	/* read-only when only in that group; full wins when in both. */
	assert_int_equal(ctl_access_of(1000, 7, NULL, 0, 5, 7), CTL_ACCESS_READONLY);
	assert_int_equal(ctl_access_of(1000, 1000, groups, 3, 5, 30), CTL_ACCESS_READONLY);
	assert_int_equal(ctl_access_of(1000, 1000, groups, 3, 10, 30), CTL_ACCESS_FULL);
	/* nobody else; an unset group matches no one, not even gid (gid_t)-1. */
	assert_int_equal(ctl_access_of(1000, 1000, groups, 3, 5, 7), CTL_ACCESS_NONE);
	assert_int_equal(ctl_access_of(1000, CTL_NO_GROUP, NULL, 0, CTL_NO_GROUP, CTL_NO_GROUP),
	    CTL_ACCESS_NONE);
	assert_string_equal(ctl_access_name(CTL_ACCESS_READONLY), "read-only");
}

static const struct ctl_command t_ro_table[] = {
	{ "show status", NULL, "daemon status", 0, 0, t_echo, CTL_CMD_READONLY },
	{ "stop", NULL, "stop the daemon", 0, 0, t_echo, 0 },
};

static void
test_dispatch_peer(void **state)
{
	const struct ctl_peer ro = { 123, 5, 7, CTL_ACCESS_READONLY };
	const struct ctl_peer full = { 124, 6, 8, CTL_ACCESS_FULL };
	char *body;
	size_t len;

	(void)state;
	/* Read-only: the flagged commands and help run, the others are refused. */
	assert_int_equal(ctl_dispatch_peer(t_ro_table, 2, NULL, &ro, "show status\n", 12, &body,
	    &len), CTL_OK);
	assert_string_equal(body, "argc=0 json=0\n");
	free(body);
	assert_int_equal(ctl_dispatch_peer(t_ro_table, 2, NULL, &ro, "help\n", 5, &body, &len),
	    CTL_OK);
	free(body);
	assert_int_equal(ctl_dispatch_peer(t_ro_table, 2, NULL, &ro, "stop\n", 5, &body, &len),
	    CTL_ERR);
	assert_string_equal(body, "permission denied: 'stop' needs full access (uid 5 has "
	    "read-only access: root and the control group's members have full access)\n");
	free(body);
	assert_int_equal(ctl_dispatch_peer(t_ro_table, 2, NULL, &ro, "s --json\n", 9, &body,
	    &len), CTL_USAGE);	/* ambiguous: still a usage error first */
	free(body);
	assert_int_equal(ctl_dispatch_peer(t_ro_table, 2, NULL, &ro, "sto --json\n", 11, &body,
	    &len), CTL_ERR);
	assert_string_equal(body, "{\"error\":\"permission denied: 'stop' needs full access "
	    "(uid 5 has read-only access: root and the control group's members have full "
	    "access)\"}\n");
	free(body);
	/* A typo is a typo whoever asks. */
	assert_int_equal(ctl_dispatch_peer(t_ro_table, 2, NULL, &ro, "stpo\n", 5, &body, &len),
	    CTL_USAGE);
	free(body);
	/* Full access, or no peer (the fuzzer, the tests): everything. */
	assert_int_equal(ctl_dispatch_peer(t_ro_table, 2, NULL, &full, "stop\n", 5, &body, &len),
	    CTL_OK);
	assert_string_equal(body, "argc=0 json=0\n");
	free(body);
	assert_int_equal(ctl_dispatch(t_ro_table, 2, NULL, "stop\n", 5, &body, &len), CTL_OK);
	free(body);
}

/*
 * ripostectl itself (the binary meson built, $RIPOSTECTL) against the real
 * server: exit status, stdout and stderr.
 */
struct run {
	int status;	/* exit status */
	char out[8192];
	char err[8192];
};

static void
slurp(int fd, char *buf, size_t cap)
{
	ssize_t r = pread(fd, buf, cap - 1, 0);

	buf[r > 0 ? r : 0] = '\0';
	close(fd);
}

/* Run ripostectl with args (NULL-terminated) while the server loop runs. */
static void
run_ctl(struct e2e *e, struct run *res, const char *arg0, ...)
{
	const char *bin = getenv("RIPOSTECTL");
	const char *argv[32];
	char tmpl_o[] = "/tmp/test_ctl.out.XXXXXX", tmpl_e[] = "/tmp/test_ctl.err.XXXXXX";
	int n = 0, ofd, efd, st;
	va_list ap;
	pid_t pid;

	assert_non_null(bin);
	argv[n++] = bin;
	va_start(ap, arg0);
	for (const char *a = arg0; a != NULL; a = va_arg(ap, const char *)) {
		assert_true(n < 31);
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	ofd = mkstemp(tmpl_o);
	efd = mkstemp(tmpl_e);
	assert_true(ofd >= 0 && efd >= 0);
	unlink(tmpl_o);
	unlink(tmpl_e);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	double deadline = mono() + 10;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		assert_true(w == 0);
		if (mono() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fail_msg("ripostectl did not finish in 10 s");
		}
		if (e->loop != NULL)
			ev_run(e->loop, EVRUN_NOWAIT);
		usleep(200);
	}
	assert_true(WIFEXITED(st));
	res->status = WEXITSTATUS(st);
	slurp(ofd, res->out, sizeof(res->out));
	slurp(efd, res->err, sizeof(res->err));
}

static void
test_ripostectl(void **state)
{
	struct e2e *e = *state;
	struct run r;
	const char *s = e->path;

	e->srv = ctl_server_start(e->loop, e->path, t_table, T_N, NULL);
	assert_non_null(e->srv);

	/* 0: success; --json before or after the command reaches the handler. */
	run_ctl(e, &r, "-s", s, "sh", "st", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "argc=0 json=0\n");
	assert_string_equal(r.err, "");
	run_ctl(e, &r, "-s", s, "show", "routes", "10.0.0.0/8", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "argc=1 [10.0.0.0/8] json=1\n");
	run_ctl(e, &r, "-s", s, "-j", "show", "routes", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "argc=0 json=1\n");

	/* 2: usage errors, found by riposted: on stderr, or JSON on stdout. */
	run_ctl(e, &r, "-s", s, "frobnicate", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ripostectl: unknown command 'frobnicate'\n");
	run_ctl(e, &r, "-s", s, "--json", "frobnicate", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "{\"error\":\"unknown command 'frobnicate'\"}\n");
	assert_string_equal(r.err, "");
	run_ctl(e, &r, "-s", s, "s", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "ripostectl: ambiguous command 's': show, stop, set\n");
	run_ctl(e, &r, "-s", s, "set", "debug", "-j", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out,
	    "{\"error\":\"missing argument for 'set debug' (usage: set debug LEVEL)\"}\n");
	run_ctl(e, &r, "-s", s, "stop", "now", NULL);
	assert_int_equal(r.status, 2);
	run_ctl(e, &r, "-s", s, "show", NULL);
	assert_int_equal(r.status, 2);
	run_ctl(e, &r, "-s", s, "number", "x", "--json", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "{\"error\":\"'x' is not a number\"}\n");

	/* 1: the command ran and failed. */
	run_ctl(e, &r, "-s", s, "fail", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ripostectl: it failed\n");
	run_ctl(e, &r, "-s", s, "fail", "--json", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "{\"error\":\"it failed\"}\n");
	assert_string_equal(r.err, "");

	/* 2: usage errors found by ripostectl itself, JSON too. */
	run_ctl(e, &r, "-s", s, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "ripostectl: no command"));
	run_ctl(e, &r, "--frob", "-s", s, "stop", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "ripostectl: unknown option '--frob' (try 'ripostectl --help')\n");
	run_ctl(e, &r, "-x", "--json", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "{\"error\":\"unknown option '-x' (try 'ripostectl --help')\"}\n");
	run_ctl(e, &r, "-t", "0", "-j", "stop", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out,
	    "{\"error\":\"bad timeout '0' (seconds, > 0, at most 86400)\"}\n");
	run_ctl(e, &r, "-j", "-s", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out,
	    "{\"error\":\"option '-s' needs an argument (try 'ripostectl --help')\"}\n");
	run_ctl(e, &r, "-s", s, "echo", "a\nb", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "ripostectl: control character 0x0a in argument 2\n");

	/* 1: no daemon at the socket. */
	char missing[200];
	snprintf(missing, sizeof(missing), "%s/none.sock", e->dir);
	run_ctl(e, &r, "-s", missing, "stop", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "ripostectl: cannot connect to "));
	assert_non_null(strstr(r.err, "No such file or directory"));
	run_ctl(e, &r, "--json", "-s", missing, "stop", NULL);
	assert_int_equal(r.status, 1);
	assert_int_equal(strncmp(r.out, "{\"error\":\"cannot connect to ", 28), 0);
	assert_string_equal(r.out + strlen(r.out) - 3, "\"}\n");
	assert_string_equal(r.err, "");

	/* --version, -V, --help: 0. */
	run_ctl(e, &r, "--version", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "ripostectl 0.1.0\n");
	run_ctl(e, &r, "-V", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "ripostectl 0.1.0\n");
	run_ctl(e, &r, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "EXIT STATUS"));
	assert_non_null(strstr(r.out, "-V, --version"));

	/*
	 * A plain-text ERR that the server makes before any request (too many
	 * connections): ripostectl --json wraps it, exit 1.
	 */
	int fds[CTL_MAX_CLIENTS];
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fds[i] = client_connect(e->path);
		assert_true(fds[i] >= 0);
		ev_run(e->loop, EVRUN_NOWAIT);
	}
	spin(e->loop, 20);
	run_ctl(e, &r, "-s", s, "stop", "--json", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "{\"error\":\"too many control connections\"}\n");
	run_ctl(e, &r, "-s", s, "stop", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "ripostectl: too many control connections\n");
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_parse),
		cmocka_unit_test(test_request_parse_length),
		cmocka_unit_test(test_command_find),
		cmocka_unit_test(test_command_find_nested),
		cmocka_unit_test(test_command_find_builtin_help),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_json_misuse),
		cmocka_unit_test_setup_teardown(test_server_pipelined, e2e_setup, e2e_teardown),
		cmocka_unit_test_setup_teardown(test_server_overlong, e2e_setup, e2e_teardown),
		cmocka_unit_test_setup_teardown(test_server_eof, e2e_setup, e2e_teardown),
		cmocka_unit_test_setup_teardown(test_server_max_clients, e2e_setup, e2e_teardown),
		cmocka_unit_test_setup_teardown(test_server_socket_file, e2e_setup, e2e_teardown),
		cmocka_unit_test_setup_teardown(test_server_socket_opts, e2e_setup, e2e_teardown),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_dispatch_peer),
		cmocka_unit_test_setup_teardown(test_ripostectl, e2e_setup, e2e_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
