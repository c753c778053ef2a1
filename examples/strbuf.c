/*
 * A string builder on top of any memapi_allocator: appends grow the buffer with memapi_grow
 * (amortised doubling), and finishing trims it with memapi_shrink. Failures are reported with the
 * library's error text and leave the builder's contents intact.
 *
 * It runs with the default allocator, then with a user-written allocator that refuses any block
 * above a byte limit, to show the error path of a plugged-in allocator. Exits with a nonzero status
 * if a result is not the expected one.
 */
#include <stdio.h>
#include <string.h>
#include <memapi2.h>

struct strbuf {
    memapi_allocator alloc;
    char *buf; /* NUL-terminated; capacity bytes */
    size_t len;
    size_t cap;
};

static memapi_status sb_init(struct strbuf *sb, memapi_allocator a, memapi_error *err)
{
    sb->alloc = a;
    sb->len = 0;
    sb->cap = 16;
    sb->buf = memapi_alloc(a, (memapi_layout){sb->cap, 1}, err);
    if (sb->buf == NULL)
        return MEMAPI_ERROR;
    sb->buf[0] = '\0';
    return MEMAPI_OK;
}

static memapi_status sb_append(struct strbuf *sb, const char *s, memapi_error *err)
{
    size_t n = strlen(s);
    if (n >= sb->cap - sb->len) {
        size_t want = sb->len + n + 1, cap = sb->cap;
        while (cap < want)
            cap *= 2;
        char *grown = memapi_grow(sb->alloc, sb->buf, (memapi_layout){sb->cap, 1}, (memapi_layout){cap, 1}, err);
        if (grown == NULL)
            return MEMAPI_ERROR;
        sb->buf = grown;
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n + 1);
    sb->len += n;
    return MEMAPI_OK;
}

/* Trims the buffer to its contents; on failure the larger buffer is simply kept. */
static void sb_shrink_to_fit(struct strbuf *sb)
{
    char *trimmed = memapi_shrink(sb->alloc, sb->buf, (memapi_layout){sb->cap, 1},
                                  (memapi_layout){sb->len + 1, 1}, NULL);
    if (trimmed != NULL) {
        sb->buf = trimmed;
        sb->cap = sb->len + 1;
    }
}

static void sb_free(struct strbuf *sb)
{
    memapi_dealloc(sb->alloc, sb->buf, (memapi_layout){sb->cap, 1});
}

/* ---- a user-supplied allocator: refuses blocks above a limit ----------------------------------- */
struct limited {
    size_t limit;
};

static void *limited_alloc(void *self, memapi_layout l, memapi_error *err)
{
    const struct limited *lim = self;
    if (l.size > lim->limit) {
        if (err != NULL) {
            memset(err, 0, sizeof *err);
            err->kind = MEMAPI_E_ALLOC_FAILED;
            err->layout = l;
            err->cause.kind = MEMAPI_CAUSE_OTHER;
            err->cause.msg = "block larger than the limit";
        }
        return NULL;
    }
    return memapi_alloc(memapi_default(), l, err);
}

static memapi_status limited_try_dealloc(void *self, void *ptr, memapi_layout l, memapi_error *err)
{
    (void)self;
    return memapi_try_dealloc(memapi_default(), ptr, l, err);
}

static const memapi_alloc_vtable limited_vtable = {
    .name = "limited",
    .caps = MEMAPI_CAP_DEALLOC | MEMAPI_CAP_REALLOC,
    .alloc = limited_alloc,
    .try_dealloc = limited_try_dealloc,
};

/* Builds "word0 word1 ... word<n-1>"; returns the number of words appended. */
static int build(const char *name, memapi_allocator a, int words, char *out, size_t out_cap)
{
    struct strbuf sb;
    memapi_error err;
    char msg[200];
    if (sb_init(&sb, a, &err) != MEMAPI_OK) {
        memapi_error_format(&err, msg, sizeof msg);
        printf("%s: cannot start: %s\n", name, msg);
        return -1;
    }
    int done = 0;
    for (; done < words; done++) {
        char word[24];
        snprintf(word, sizeof word, done ? " word%d" : "word%d", done);
        if (sb_append(&sb, word, &err) != MEMAPI_OK) {
            memapi_error_format(&err, msg, sizeof msg);
            printf("%s: append %d refused (%s); the %zu bytes built so far are intact\n", name, done, msg, sb.len);
            break;
        }
    }
    sb_shrink_to_fit(&sb);
    printf("%s: %zu chars in a %zu-byte buffer: \"%.40s...\"\n", name, sb.len, sb.cap, sb.buf);
    snprintf(out, out_cap, "%s", sb.buf);
    sb_free(&sb);
    return done;
}

int main(void)
{
    char a[4096], b[4096];
    int bad = 0;
    if (build("default", memapi_default(), 200, a, sizeof a) != 200)
        bad = 1;

    struct limited lim = {256};
    memapi_allocator limited = {&limited_vtable, &lim};
    int done = build("limited", limited, 200, b, sizeof b);
    /* 256-byte cap: "word0".."word9" take 50 bytes, then 6 or 7 bytes per word; the growth to 512 fails. */
    if (done <= 0 || done >= 200 || strncmp(a, b, strlen(b)) != 0)
        bad = 1;
    return bad;
}
