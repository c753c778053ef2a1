/*
 * A fixed-capacity string builder whose buffer comes from a bump arena, proved with Frama-C WP
 * against memapi2's installed headers: `make prove` proves the functions below with only include/
 * on the path (proofs/README.md, "Proving your code against memapi2"). The proof rests on the
 * contracts of memapi_layout_from_size_align and memapi_bump_alloc in the headers, nothing else.
 */
#include <stdio.h>
#include "memapi2.h"

/** The text built so far: `len` of `cap` bytes at `data` (not NUL-terminated). */
typedef struct strbuf {
    char *data;
    size_t len;
    size_t cap;
} strbuf;

/*@ predicate sb_inv{L}(strbuf *s) =
      \valid(s) && s->len <= s->cap && \valid(s->data + (0 .. s->cap - 1)) &&
      \separated(s, s->data + (0 .. s->cap - 1));
*/

/**
 * Takes `cap` bytes from the arena for the builder's text. On failure (`cap` is not a valid size,
 * or the arena is too small) `*err` says why and the arena and `*s` are unchanged.
 */
/*@ requires memapi_bump_inv(b);
    requires 0 < cap;
    requires \valid(s) && \separated(s, b) && \separated(s, b->base + (0 .. b->cap - 1));
    requires err == \null || (\valid(err) && \separated(err, b) && \separated(err, s) &&
                              \separated(err, b->base + (0 .. b->cap - 1)));
    assigns *s, b->off, b->last, *err;
    ensures memapi_bump_inv(b);
    ensures \result == MEMAPI_OK || \result == MEMAPI_ERROR;
    ensures \result == MEMAPI_OK ==> sb_inv(s) && s->len == 0 && s->cap == cap;
    ensures \result == MEMAPI_ERROR ==> *s == \old(*s);
*/
static memapi_status sb_init(strbuf *s, memapi_bump *b, size_t cap, memapi_error *err)
{
    memapi_layout l;
    if (memapi_layout_from_size_align(cap, 1, &l, err) != MEMAPI_OK)
        return MEMAPI_ERROR;
    char *data = memapi_bump_alloc(b, l, err);
    if (data == NULL)
        return MEMAPI_ERROR;
    /*@ assert \valid(data + (0 .. cap - 1)); */
    /*@ assert \subset(data + (0 .. cap - 1), b->base + (0 .. b->cap - 1)); */
    /*@ assert \separated(s, data + (0 .. cap - 1)); */
    s->data = data;
    s->len = 0;
    s->cap = cap;
    return MEMAPI_OK;
}

/**
 * Appends `src[0 .. n)`. When it does not fit, returns MEMAPI_ERROR and changes nothing.
 */
/*@ requires sb_inv(s);
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(src + (0 .. n - 1), s->data + (0 .. s->cap - 1)) && \separated(src + (0 .. n - 1), s);
    assigns s->len, s->data[s->len .. s->cap - 1];
    ensures sb_inv(s) && s->data == \old(s->data) && s->cap == \old(s->cap);
    ensures \forall integer i; 0 <= i < \old(s->len) ==> s->data[i] == \old(s->data[i]);
    behavior fits:
      assumes n <= s->cap - s->len;
      ensures \result == MEMAPI_OK && s->len == \old(s->len) + n;
      ensures \forall integer i; 0 <= i < n ==> s->data[\old(s->len) + i] == src[i];
    behavior full:
      assumes n > s->cap - s->len;
      assigns \nothing;
      ensures \result == MEMAPI_ERROR;
    complete behaviors;
    disjoint behaviors;
*/
static memapi_status sb_append(strbuf *s, const char *src, size_t n)
{
    if (n > s->cap - s->len)
        return MEMAPI_ERROR;
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> s->data[s->len + j] == src[j];
        loop invariant \forall integer j; 0 <= j < s->len ==> s->data[j] == \at(s->data[j], Pre);
        loop assigns i, s->data[s->len .. s->len + n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        s->data[s->len + i] = src[i];
    s->len += n;
    return MEMAPI_OK;
}

#ifndef __FRAMAC__
int main(void)
{
    static char buffer[64];
    memapi_bump arena;
    memapi_error err;
    strbuf s;
    if (memapi_bump_init(&arena, buffer, sizeof buffer, &err) != MEMAPI_OK ||
        sb_init(&s, &arena, 40, &err) != MEMAPI_OK)
        return 1;
    static const char *const parts[] = {"layout ", "algebra ", "that ", "cannot ", "overflow"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t n = 0;
        while (parts[i][n] != '\0')
            n++;
        if (sb_append(&s, parts[i], n) != MEMAPI_OK)
            return 1;
    }
    /* 35 of 40 bytes used: six more do not fit, and change nothing. */
    if (sb_append(&s, " twice", 6) != MEMAPI_ERROR || s.len != 35)
        return 1;
    printf("%.*s (%zu of %zu bytes; the arena has %zu of %zu left)\n", (int)s.len, s.data, s.len, s.cap,
           memapi_bump_remaining(&arena), sizeof buffer);
    /* An arena too small for the builder: the error says why. */
    char text[128];
    if (sb_init(&s, &arena, 64, &err) != MEMAPI_ERROR)
        return 1;
    memapi_error_format(&err, text, sizeof text);
    printf("a second builder of 64 bytes: %s\n", text);
    return 0;
}
#endif
