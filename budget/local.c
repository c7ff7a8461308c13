/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * local.c - the local budget store (contract in local.h).
 *
 * Each stripe is a chained hash table that doubles as it fills, plus a
 * doubly linked LRU list (head = most recently charged).  Every entry
 * has the same size, so max_logins alone bounds the memory.  An entry
 * holds two buckets: [0] the current one, whose index is 'bucket', and
 * [1] the one before it; a charge in a later bucket shifts them first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "budget/local.h"
#include "common/stats.h"
#include "common/strutil.h"

#define WORDS		(RG_BUDGET_LOCAL_DOMAIN_BITS / 64)
#define LONG_LOGIN	0xff	/* keylen of a login kept as prefix + digest */
#define PREFIX		(RG_BUDGET_LOCAL_KEY_MAX - 16)

struct entry {
	struct entry *hnext;		/* hash chain */
	struct entry *prev, *next;	/* LRU list */
	uint64_t hash;
	int64_t bucket;			/* index of counts [0] */
	int64_t alerted;		/* bucket of the last alert */
	uint32_t messages[2];
	uint32_t recipients[2];
	uint64_t domains[2][WORDS];
	unsigned char keylen;
	char key[RG_BUDGET_LOCAL_KEY_MAX];
};

struct stripe {
	pthread_mutex_t lock;
	struct entry **table;
	size_t mask;
	struct entry *head, *tail;
	size_t count;
};

struct local {
	struct rg_budget_store base;	/* first: the store interface */
	size_t max;			/* max_logins */
	size_t held;			/* logins in all stripes; atomic */
	size_t nstripes;
	struct stripe *stripes;
};

/* -m ln(z / m) for z zero bits out of m; the last entry (z = 0) saturates. */
static double lc_table[RG_BUDGET_LOCAL_DOMAIN_BITS + 1];
static uint64_t hash_key;
static bool key_fixed;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* ln(x) for x > 0, without libm: halve into [0.5, 1), then atanh's series. */
static double
ln(double x)
{
	const double ln2 = 0.69314718055994530942;
	double y, y2, term, sum = 0;
	int k = 0;

	while (x < 0.5) {
		x *= 2;
		k++;
	}
	y = (x - 1) / (x + 1);
	y2 = y * y;
	term = y;
	for (int n = 1; n < 80; n += 2) {
		sum += term / n;
		term *= y2;
	}
	return 2 * sum - k * ln2;
}

static void
init(void)
{
	const double m = RG_BUDGET_LOCAL_DOMAIN_BITS;

	if (!key_fixed && getrandom(&hash_key, sizeof(hash_key), GRND_NONBLOCK) !=
	    sizeof(hash_key))
		hash_key = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&hash_key;
	for (int z = 1; z <= RG_BUDGET_LOCAL_DOMAIN_BITS; z++)
		lc_table[z] = -m * ln(z / m);
	/* Every bit set: the most the bitmap can tell, m ln m. */
	lc_table[0] = m * ln(m);
}

void
rg_budget_local_fixed_key(uint64_t key)
{
	hash_key = key;
	key_fixed = true;
}

/*
 * FNV-1a under a per-process key, then a 64-bit finaliser: logins and
 * domains are chosen by clients, and a known hash would let them aim at
 * one chain or one domain bit.
 */
static uint64_t
hash(uint64_t salt, const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ hash_key ^ salt;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/* The fixed-size key of a login, as entries hold it. */
struct key {
	unsigned char len;
	char bytes[RG_BUDGET_LOCAL_KEY_MAX];
	uint64_t hash;
};

static void
make_key(const char *login, struct key *k)
{
	size_t n = strlen(login);

	memset(k, 0, sizeof(*k));
	if (n <= RG_BUDGET_LOCAL_KEY_MAX) {
		memcpy(k->bytes, login, n);
		k->len = (unsigned char)n;
	} else {
		uint64_t d[2] = { hash(1, login, n), hash(2, login, n) };

		memcpy(k->bytes, login, PREFIX);
		memcpy(k->bytes + PREFIX, d, sizeof(d));
		k->len = LONG_LOGIN;
	}
	k->hash = hash(0, k->bytes, k->len == LONG_LOGIN ? sizeof(k->bytes) : k->len);
}

static struct stripe *
stripe_of(struct local *l, uint64_t h)
{
	return &l->stripes[(h >> 56) % l->nstripes];
}

static void
lru_unlink(struct stripe *st, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		st->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		st->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push(struct stripe *st, struct entry *e)
{
	e->prev = NULL;
	e->next = st->head;
	if (st->head != NULL)
		st->head->prev = e;
	st->head = e;
	if (st->tail == NULL)
		st->tail = e;
}

static void
chain_remove(struct stripe *st, struct entry *e)
{
	struct entry **pp = &st->table[e->hash & st->mask];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
}

static void
grow(struct stripe *st)
{
	size_t n = (st->mask + 1) * 2;
	struct entry **t = rg_xcalloc(n, sizeof(*t));

	for (size_t i = 0; i <= st->mask; i++) {
		struct entry *e = st->table[i], *next;

		for (; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = t[e->hash & (n - 1)];
			t[e->hash & (n - 1)] = e;
		}
	}
	free(st->table);
	st->table = t;
	st->mask = n - 1;
}

/*
 * LOGIN's entry, made if absent.  When the store is full, the stripe's
 * least recently charged login makes room; a stripe with none (a spread
 * so uneven it never happens in practice) takes one more, so the store
 * may pass max_logins by at most one login per stripe.
 */
static struct entry *
lookup(struct local *l, struct stripe *st, const struct key *k, int64_t bucket)
{
	struct entry *e;

	for (e = st->table[k->hash & st->mask]; e != NULL; e = e->hnext)
		if (e->hash == k->hash && e->keylen == k->len &&
		    memcmp(e->key, k->bytes, sizeof(e->key)) == 0) {
			lru_unlink(st, e);
			lru_push(st, e);
			return e;
		}
	if (__atomic_load_n(&l->held, __ATOMIC_RELAXED) >= l->max && st->tail != NULL) {
		/* Full: the least recently charged login loses its counts. */
		e = st->tail;
		lru_unlink(st, e);
		chain_remove(st, e);
		st->count--;
		rg_stats_budget(RG_STATS_BUDGET_LOCAL_EVICT);
	} else {
		e = malloc(sizeof(*e));
		if (e == NULL)
			abort();
		__atomic_add_fetch(&l->held, 1, __ATOMIC_RELAXED);
	}
	memset(e, 0, sizeof(*e));
	e->hash = k->hash;
	e->keylen = k->len;
	memcpy(e->key, k->bytes, sizeof(e->key));
	e->bucket = bucket;
	e->alerted = INT64_MIN;
	if (st->count >= st->mask + 1)
		grow(st);
	e->hnext = st->table[e->hash & st->mask];
	st->table[e->hash & st->mask] = e;
	st->count++;
	lru_push(st, e);
	return e;
}

/* Bring the entry's buckets up to 'bucket' (never back: a clock step back keeps them). */
static void
roll(struct entry *e, int64_t bucket)
{
	if (bucket <= e->bucket)
		return;
	if (bucket == e->bucket + 1) {
		e->messages[1] = e->messages[0];
		e->recipients[1] = e->recipients[0];
		memcpy(e->domains[1], e->domains[0], sizeof(e->domains[0]));
	} else {
		e->messages[1] = e->recipients[1] = 0;
		memset(e->domains[1], 0, sizeof(e->domains[1]));
	}
	e->messages[0] = e->recipients[0] = 0;
	memset(e->domains[0], 0, sizeof(e->domains[0]));
	e->bucket = bucket;
}

static double
distinct(const uint64_t *bits)
{
	int set = 0;

	for (int i = 0; i < WORDS; i++)
		set += __builtin_popcountll(bits[i]);
	/*
	 * A whole count, as Redis's PFCOUNT gives: the estimate for k bits
	 * set is a little above k, and one domain must not read as 1.001.
	 */
	return (double)rg_budget_round(lc_table[RG_BUDGET_LOCAL_DOMAIN_BITS - set]);
}

static void
estimate(const struct entry *e, double gone, struct rg_budget_estimate *u)
{
	u->messages = rg_budget_estimate(e->messages[1], e->messages[0], gone);
	u->recipients = rg_budget_estimate(e->recipients[1], e->recipients[0], gone);
	u->domains = rg_budget_estimate(distinct(e->domains[1]), distinct(e->domains[0]), gone);
}

static void
rounded(const struct rg_budget_estimate *u, struct rg_budget_usage *r)
{
	r->messages = rg_budget_round(u->messages);
	r->recipients = rg_budget_round(u->recipients);
	r->domains = rg_budget_round(u->domains);
}

static void
add32(uint32_t *c, uint64_t n)
{
	*c = n >= UINT32_MAX - *c ? UINT32_MAX : *c + (uint32_t)n;
}

/* The bit DOMAIN sets in a bucket's bitmap. */
static unsigned
domain_index(const char *domain)
{
	return (unsigned)(hash(3, domain, strlen(domain)) % RG_BUDGET_LOCAL_DOMAIN_BITS);
}

/* Set bit 'b' in the current bucket when 'set'; true if it was clear. */
static bool
domain_bit(struct entry *e, unsigned b, bool set)
{
	uint64_t mask = 1ULL << (b % 64);
	bool fresh = (e->domains[0][b / 64] & mask) == 0;

	if (set)
		e->domains[0][b / 64] |= mask;
	return fresh;
}

/* Where the clock stands for this entry: its bucket and how far into it. */
static int64_t
now_bucket(double now, double window, double *gone_r)
{
	*gone_r = rg_budget_gone(now, window);
	return rg_budget_bucket(now, window);
}

static void
local_admit(struct rg_budget_store *store, const struct rg_budget_request *rq,
    const struct rg_budget_limits *lim, struct rg_budget_result *r)
{
	struct local *l = (struct local *)store;
	struct rg_budget_charge charge = { .message = rq->new_message };
	struct rg_budget_estimate u;
	struct stripe *st;
	struct entry *e;
	struct key k;
	double gone;
	int64_t b = now_bucket(rq->now, lim->window, &gone);
	bool has_domain = rq->domain != NULL && rq->domain[0] != '\0';
	unsigned dbit = has_domain ? domain_index(rq->domain) : 0;

	memset(r, 0, sizeof(*r));
	make_key(rq->login, &k);
	st = stripe_of(l, k.hash);
	pthread_mutex_lock(&st->lock);
	e = lookup(l, st, &k, b);
	roll(e, b);
	if (b < e->bucket)
		gone = 0;	/* the clock stepped back: count the older bucket in full */
	charge.domain = has_domain && domain_bit(e, dbit, false);
	estimate(e, gone, &u);
	r->over = rg_budget_decide(&u, &charge, lim);
	if (r->over == RG_BUDGET_NONE) {
		add32(&e->messages[0], charge.message);
		add32(&e->recipients[0], 1);
		if (charge.domain)
			domain_bit(e, dbit, true);
		estimate(e, gone, &u);
	}
	pthread_mutex_unlock(&st->lock);
	r->answer = r->over == RG_BUDGET_NONE ? RG_BUDGET_ADMITTED : RG_BUDGET_OVER;
	rounded(&u, &r->used);
}

void
rg_budget_local_charge(struct rg_budget_store *store, const char *login,
    const struct rg_budget_usage *add, double now, double window)
{
	struct local *l = (struct local *)store;
	struct stripe *st;
	struct entry *e;
	struct key k;
	double gone;
	int64_t b = now_bucket(now, window, &gone);

	pthread_once(&once, init);
	make_key(login, &k);
	st = stripe_of(l, k.hash);
	pthread_mutex_lock(&st->lock);
	e = lookup(l, st, &k, b);
	roll(e, b);
	add32(&e->messages[0], add->messages);
	add32(&e->recipients[0], add->recipients);
	for (uint64_t i = 0; i < add->domains; i++) {
		char name[64];

		snprintf(name, sizeof(name), "budget-preset-%llu.invalid", (unsigned long long)i);
		domain_bit(e, domain_index(name), true);
	}
	pthread_mutex_unlock(&st->lock);
}

bool
rg_budget_local_first_alert(struct rg_budget_store *store, const char *login, int64_t bucket)
{
	struct local *l = (struct local *)store;
	struct stripe *st;
	struct entry *e;
	struct key k;
	bool first;

	pthread_once(&once, init);
	make_key(login, &k);
	st = stripe_of(l, k.hash);
	pthread_mutex_lock(&st->lock);
	e = lookup(l, st, &k, bucket);
	first = e->alerted != bucket;
	e->alerted = bucket;
	pthread_mutex_unlock(&st->lock);
	return first;
}

size_t
rg_budget_local_count(struct rg_budget_store *store)
{
	struct local *l = (struct local *)store;

	return __atomic_load_n(&l->held, __ATOMIC_RELAXED);
}

static void
local_destroy(struct rg_budget_store **sp)
{
	struct local *l;

	if (sp == NULL || *sp == NULL)
		return;
	l = (struct local *)*sp;
	*sp = NULL;
	for (size_t i = 0; i < l->nstripes; i++) {
		struct entry *e, *next;

		for (e = l->stripes[i].head; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
		free(l->stripes[i].table);
		pthread_mutex_destroy(&l->stripes[i].lock);
	}
	free(l->stripes);
	free(l);
}

/* admit() first makes sure the key and table exist. */
static void
admit_once(struct rg_budget_store *store, const struct rg_budget_request *rq,
    const struct rg_budget_limits *lim, struct rg_budget_result *r)
{
	pthread_once(&once, init);
	local_admit(store, rq, lim, r);
}

static const struct rg_budget_store_ops local_ops = {
	.admit = admit_once,
	.destroy = local_destroy,
};

struct rg_budget_store *
rg_budget_local_new(size_t max_logins)
{
	struct local *l = rg_xcalloc(1, sizeof(*l));

	if (max_logins == 0)
		max_logins = 1;
	l->base.ops = &local_ops;
	l->max = max_logins;
	l->nstripes = max_logins >= RG_BUDGET_LOCAL_STRIPED ? RG_BUDGET_LOCAL_STRIPES : 1;
	l->stripes = rg_xcalloc(l->nstripes, sizeof(*l->stripes));
	for (size_t i = 0; i < l->nstripes; i++) {
		struct stripe *st = &l->stripes[i];

		pthread_mutex_init(&st->lock, NULL);
		st->mask = 63;
		st->table = rg_xcalloc(st->mask + 1, sizeof(*st->table));
	}
	return &l->base;
}
