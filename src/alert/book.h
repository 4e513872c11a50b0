/*
 * The alerter's book of open alerts (internal to src/alert): what is
 * firing, which channels heard of it and when it was last sent. It decides
 * what each event sends where: dedup, routing, repeats, resolves. No I/O
 * and no clock of its own, so tests drive it with the times they choose.
 */
#ifndef TEND_ALERT_BOOK_H
#define TEND_ALERT_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"

/* One message for one channel: what the formats render. */
struct alert_msg {
	enum alert_event event;
	enum alert_source source;
	const char	*key;		/* the open alert's: "incident:12", "anomaly:SERIES" */
	const char	*target;
	const char	*state;		/* of the target at this event */
	const char	*severity;	/* fixed for the alert's life: critical or warning */
	const char	*message;
	int64_t		 incident;	/* 0: none */
	int64_t		 at;		/* wall ms of this event (or repeat) */
	int64_t		 started_at;	/* wall ms the alert opened */
	int64_t		 ended_at;	/* wall ms it ended; 0 while it fires */
	bool		 repeat;	/* sent again after the repeat interval */
};

/* A copy in one allocation: free() it. */
struct alert_msg *alert_msg_dup(const struct alert_msg *m);

typedef void	(*alert_send_fn)(void *arg, const struct alert_channel_conf *ch,
		    const struct alert_msg *m);

struct alert_book;

struct alert_book *alert_book_new(void);
void		 alert_book_free(struct alert_book *b);

/* Whether a channel is sent an event (`on:`). */
bool		 alert_channel_routes(const struct alert_channel_conf *ch,
		    enum alert_event event);
/* An Alertmanager is told of every end, and kept informed of what fires. */
bool		 alert_channel_is_alertmanager(const struct alert_channel_conf *ch);

/*
 * An event: opens, updates or ends an open alert and calls fn once per
 * message to send. Returns how many.
 */
int		 alert_book_raise(struct alert_book *b, const struct alerts_conf *conf,
		    const struct alert_input *in, int64_t now_wall, int64_t now_mono,
		    alert_send_fn fn, void *arg);
/*
 * An alert a previous run of tend opened and never ended (its incident is
 * rejoined): open again as if its event (in->event) had been sent to the
 * channels that route it, without sending anything, so that its repeats and
 * its end go where it went.
 */
void		 alert_book_adopt(struct alert_book *b, const struct alerts_conf *conf,
		    const struct alert_input *in, int64_t now_wall, int64_t now_mono);
/* Open alerts whose repeat interval has passed are sent again. Returns how many messages. */
int		 alert_book_repeat(struct alert_book *b, const struct alerts_conf *conf,
		    int64_t now_wall, int64_t now_mono, alert_send_fn fn, void *arg);
/* Mono ms of the next repeat due, or -1 when none will be. */
int64_t		 alert_book_next_repeat(const struct alert_book *b,
		    const struct alerts_conf *conf);
/*
 * The open alerts a channel was sent, as messages of their current event
 * (Alertmanager must hear of them again before their endsAt). The array is
 * malloc'd; its strings belong to the book until it next changes.
 */
size_t		 alert_book_open_for(const struct alert_book *b, const char *channel,
		    int64_t now_wall, struct alert_msg **out);
size_t		 alert_book_open_count(const struct alert_book *b);

#endif
