/* SPDX-License-Identifier: ISC */
/*
 * The control protocol's requests (include/control.h): parsed and validated
 * by the fetcher, which takes them from any member of the socket's group,
 * and formatted by multinicctl.
 */

#include <stdio.h>
#include <string.h>

#include <json.h>

#include "config.h"
#include "control.h"
#include "util.h"

/*
 * A request is one flat object: deeper nesting is refused while parsing
 * (one level more than needed, so a member of the wrong type is named).
 */
#define CONTROL_JSON_DEPTH	3
#define CONTROL_QUOTE_MAX	32	/* of a client's value, in a reason */

static const struct {
	const char	*name;
	int		 privileged;
} control_commands[CONTROL_COMMAND_COUNT] = {
	[CONTROL_STATUS] = { "status", 0 },
	[CONTROL_SHOW_INTERFACES] = { "show interfaces", 0 },
	[CONTROL_SYNC] = { "sync", 1 },
	[CONTROL_RELOAD] = { "reload", 1 },
	[CONTROL_LOG] = { "log", 1 },
};

const char *
control_command_name(enum control_command command)
{
	if (command >= CONTROL_COMMAND_COUNT)
		return "unknown";
	return control_commands[command].name;
}

int
control_command_privileged(enum control_command command)
{
	/* Anything unknown is treated as the more dangerous kind. */
	return command >= CONTROL_COMMAND_COUNT ||
	    control_commands[command].privileged;
}

/* A client's text in a reason: printable ASCII, cut short. */
static void
control_quote(const char *text, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; text[i] != '\0' && i + 1 < len; i++)
		buf[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	buf[i] = '\0';
	if (text[i] != '\0' && i >= 3)
		memcpy(buf + i - 3, "...", 3);
}

/* The whole line must be one JSON value: nothing after it, no NUL in it. */
static struct json_object *
control_parse_json(const char *line, size_t len, char *why, size_t whylen)
{
	char			 text[CONTROL_REQUEST_MAX + 1];
	struct json_tokener	*tok;
	struct json_object	*obj;
	enum json_tokener_error	 error;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= CONTROL_REQUEST_MAX) {
		errorf(why, whylen, "request longer than %d bytes",
		    CONTROL_REQUEST_MAX - 1);
		return NULL;
	}
	if (memchr(line, '\0', len) != NULL) {
		errorf(why, whylen, "request contains a NUL byte");
		return NULL;
	}
	memcpy(text, line, len);
	text[len] = '\0';
	if ((tok = json_tokener_new_ex(CONTROL_JSON_DEPTH)) == NULL) {
		errorf(why, whylen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	/* The NUL tells the tokener the input ends: "5" is complete. */
	obj = json_tokener_parse_ex(tok, text, (int)len + 1);
	error = json_tokener_get_error(tok);
	json_tokener_free(tok);
	/* json-c's null is a NULL object that parsed. */
	if (obj == NULL && error == json_tokener_success)
		errorf(why, whylen, "request must be a JSON object");
	else if (obj == NULL)
		errorf(why, whylen, "request is not valid JSON: %s",
		    json_tokener_error_desc(error));
	return obj;
}

/* A string member without NUL bytes, or -1 naming the key. */
static int
control_get_string(struct json_object *val, const char *key,
    const char **text, char *why, size_t whylen)
{
	if (!json_object_is_type(val, json_type_string))
		return errorf(why, whylen, "\"%s\" must be a string", key);
	*text = json_object_get_string(val);
	if (strlen(*text) != (size_t)json_object_get_string_len(val))
		return errorf(why, whylen, "\"%s\" contains a NUL byte", key);
	return 0;
}

static int
control_set_command(struct control_request *req, struct json_object *val,
    char *why, size_t whylen)
{
	const char	*name;
	char		 quoted[CONTROL_QUOTE_MAX];
	int		 i;

	if (control_get_string(val, "command", &name, why, whylen) == -1)
		return -1;
	for (i = 0; i < CONTROL_COMMAND_COUNT; i++)
		if (strcmp(name, control_commands[i].name) == 0) {
			req->command = i;
			return 0;
		}
	control_quote(name, quoted, sizeof(quoted));
	return errorf(why, whylen, "unknown command \"%s\"", quoted);
}

static int
control_set_level(struct control_request *req, struct json_object *val,
    char *why, size_t whylen)
{
	const char	*name;
	char		 quoted[CONTROL_QUOTE_MAX];

	if (control_get_string(val, "level", &name, why, whylen) == -1)
		return -1;
	if ((req->level = config_parse_log_level(name)) == -1) {
		control_quote(name, quoted, sizeof(quoted));
		return errorf(why, whylen, "unknown log level \"%s\" (debug,"
		    " info, warn or error)", quoted);
	}
	return 0;
}

static int
control_set_allow_delete(struct control_request *req,
    struct json_object *val, char *why, size_t whylen)
{
	if (!json_object_is_type(val, json_type_boolean))
		return errorf(why, whylen, "\"allow_delete\" must be a boolean");
	req->allow_delete = json_object_get_boolean(val);
	return 0;
}

/* Every member known, and each one allowed with the command. */
static int
control_check_members(struct json_object *obj, const struct control_request
    *req, char *why, size_t whylen)
{
	char	quoted[CONTROL_QUOTE_MAX];

	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (strcmp(key, "command") == 0)
			continue;
		control_quote(key, quoted, sizeof(quoted));
		if (strcmp(key, "allow_delete") == 0 &&
		    req->command != CONTROL_SYNC)
			return errorf(why, whylen, "\"allow_delete\" goes"
			    " with sync only");
		if (strcmp(key, "level") == 0 && req->command != CONTROL_LOG)
			return errorf(why, whylen, "\"level\" goes with log"
			    " only");
		if (strcmp(key, "allow_delete") != 0 &&
		    strcmp(key, "level") != 0)
			return errorf(why, whylen, "unknown member \"%s\"",
			    quoted);
	}
	return 0;
}

static int
control_request_fill(struct json_object *obj, struct control_request *req,
    char *why, size_t whylen)
{
	struct json_object	*val;

	if (!json_object_is_type(obj, json_type_object))
		return errorf(why, whylen, "request must be a JSON object");
	if (!json_object_object_get_ex(obj, "command", &val))
		return errorf(why, whylen, "request has no \"command\"");
	if (control_set_command(req, val, why, whylen) == -1 ||
	    control_check_members(obj, req, why, whylen) == -1)
		return -1;
	if (json_object_object_get_ex(obj, "allow_delete", &val) &&
	    control_set_allow_delete(req, val, why, whylen) == -1)
		return -1;
	if (req->command != CONTROL_LOG)
		return 0;
	if (!json_object_object_get_ex(obj, "level", &val))
		return errorf(why, whylen, "log needs a \"level\"");
	return control_set_level(req, val, why, whylen);
}

int
control_request_parse(const char *line, size_t len,
    struct control_request *req, char *why, size_t whylen)
{
	struct json_object	*obj;
	int			 rc;

	memset(req, 0, sizeof(*req));
	if ((obj = control_parse_json(line, len, why, whylen)) == NULL)
		return -1;
	rc = control_request_fill(obj, req, why, whylen);
	json_object_put(obj);
	return rc;
}

static struct json_object *
control_request_json(const struct control_request *req)
{
	struct json_object	*obj;
	int			 rc;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	rc = json_object_object_add(obj, "command",
	    json_object_new_string(control_command_name(req->command)));
	if (req->command == CONTROL_SYNC && req->allow_delete)
		rc |= json_object_object_add(obj, "allow_delete",
		    json_object_new_boolean(1));
	if (req->command == CONTROL_LOG)
		rc |= json_object_object_add(obj, "level",
		    json_object_new_string(config_log_level_name(req->level)));
	if (rc != 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int
control_request_format(const struct control_request *req, char *buf,
    size_t len)
{
	struct json_object	*obj;
	const char		*text;
	int			 n = -1;

	if ((obj = control_request_json(req)) == NULL)
		return -1;
	if ((text = json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN)) != NULL) {
		n = snprintf(buf, len, "%s\n", text);
		if (n < 0 || (size_t)n >= len)
			n = -1;
	}
	json_object_put(obj);
	return n;
}
