/* header_values: the value of each wanted header in each of many header blocks.
 *
 * The same result as netanalytics.io._headers._header_values (see its docstring for the rules),
 * found in one pass over each block's newlines where the block lies (no joined copy): 64 bytes
 * at a time with SSE2 where the machine has it, memchr otherwise. At each newline: a newline
 * followed by a blank goes on with the value before it (a continuation line); any other newline
 * ends that value and starts a line, whose name is read only when its first three bytes may
 * start a wanted name. A value is made a Python bytes (or is the name's value before it, when
 * equal), and its block noted, when its end is met.
 * Each name is also flagged when one of its values may need unfolding or stripping (is_clean).
 * Each name has a kind (_headers._KINDS): its values are a list of bytes (LIST); or, for the
 * columns that go straight into Arrow (FLAT: Message-ID, Date...), cleaned here (unfolded and
 * stripped, as unfolded does) and written one after the other into a buffer with their offsets,
 * no Python object per value; or, for the columns the reader dictionary-encodes (CODED: From,
 * To, labels, list headers...), encoded here as encode does: each distinct raw value one bytes
 * object, in first-seen order, found again by na_hash_bytes, and an int32 code per value.
 * The wanted names come from Python (_headers._BULK_NAMES), so that the list lives in one place;
 * a name's index is its place in that list.
 */
#include "speedups.h"
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_NAMES 64
#define MAX_NAME 16 /* bytes of the longest name */

typedef struct {
    Py_ssize_t count;
    /* each name, lower case, zero-padded to 16 bytes, as two words (memcpy: any byte order) */
    uint64_t word[MAX_NAMES][2];
    /* sift[p][c]: the names (bit k for name k) a line may hold whose byte p is c: the name's byte
     * in either case, or a blank or the colon after a two-byte name (never a zero byte) */
    uint64_t sift[3][256];
    int of_length[MAX_NAME + 1][MAX_NAMES]; /* the names of each length */
    int n_of_length[MAX_NAME + 1];
} Names;

typedef struct {
    int64_t *data;
    Py_ssize_t n, capacity;
} Rows;

enum { LIST = 0, FLAT = 1, CODED = 2 }; /* a name's kind */

/* The distinct values of a CODED name (their bytes in Walk.values[k]): an open-addressing table
 * of their codes (-1: empty) on their hashes, and the code of each value met. */
typedef struct {
    int32_t *slots;
    int bits;
    na_buffer hashes; /* uint64 per distinct value */
    na_buffer codes;  /* int32 per value */
} Coded;

typedef struct {
    const Names *names;
    Py_ssize_t block;        /* the block walked now */
    const unsigned char *s;  /* its bytes */
    Py_ssize_t size;         /* its length */
    uint64_t seen;           /* the names found in it (bit k for name k) */
    int open;                /* the name whose value runs on (its end not met yet), or -1 */
    Py_ssize_t value;        /* where that value starts */
    Rows rows[MAX_NAMES];    /* per name, the blocks holding it */
    PyObject *values;        /* per name, a list of its values (LIST) or distinct values (CODED) */
    char unclean[MAX_NAMES]; /* per name, whether a value may need unfolding or stripping */
    const char *kind;        /* per name, LIST, FLAT or CODED */
    na_buffer data[MAX_NAMES], offsets[MAX_NAMES]; /* a FLAT name's values, cleaned, and their int64 ends */
    Coded coded[MAX_NAMES];
} Walk;

static inline int is_blank(unsigned char c) { return c == ' ' || c == '\t'; }

/* Byte i of the block, or 0 past its end (a zero byte starts no wanted name: see Names.sift). */
static inline unsigned char byte_at(const Walk *w, Py_ssize_t i) { return i < w->size ? w->s[i] : 0; }

/* The 8 bytes of w with the ASCII capitals A-Z made lower case, the others as they are (a CR
 * stays a CR: it is no "-" with bit 0x20 set). */
static inline uint64_t lower_ascii(uint64_t w) {
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t h = w & ~high; /* each byte's low 7 bits: the sums below carry into no other byte */
    uint64_t upper = (h + ones * (0x80 - 'A')) & ~(h + ones * (0x80 - 'Z' - 1)) & ~w & high;
    return w | (upper >> 2);
}

/* The index of the wanted name among those of ``sifted`` (bit k for name k) that starts the
 * line at i (then blanks and a colon, before size; *colon set to its place), or -1. */
static inline int line_name(const Names *names, uint64_t sifted, const unsigned char *s, Py_ssize_t i,
                            Py_ssize_t size, Py_ssize_t *colon) {
    Py_ssize_t n = 0;
    while (i + n < size && !(s[i + n] == ':' || s[i + n] == '\n' || is_blank(s[i + n]))) {
        if (++n > MAX_NAME)
            return -1;
    }
    if (names->n_of_length[n] == 0)
        return -1;
    Py_ssize_t j = i + n;
    while (j < size && is_blank(s[j]))
        j++;
    if (j >= size || s[j] != ':')
        return -1;
    /* the name as two words, its bytes from n on cleared, compared whole (not byte by byte: a
     * byte stored and then read back in a word stalls the load) */
    static const unsigned char ones[2 * MAX_NAME] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint64_t word[2] = {0, 0}, mask[2];
    memcpy(word, s + i, (size_t)(size - i < MAX_NAME ? size - i : MAX_NAME));
    memcpy(mask, ones + MAX_NAME - n, sizeof(mask)); /* n bytes of 0xff, then zeros */
    uint64_t low0 = lower_ascii(word[0]) & mask[0], low1 = lower_ascii(word[1]) & mask[1];
    for (int m = 0; m < names->n_of_length[n]; m++) {
        int k = names->of_length[n][m];
        if (((sifted >> k) & 1) && names->word[k][0] == low0 && names->word[k][1] == low1) {
            *colon = j;
            return k;
        }
    }
    return -1;
}

/* Whether a value is final as it stands: no byte of 0x0a-0x0d (a fold's newline, a CR, a
 * vertical tab or form feed) and no blank at its end (_headers._clean_column then keeps it). */
static int is_clean(const unsigned char *s, Py_ssize_t n) {
    if (n && is_blank(s[n - 1]))
        return 0;
    Py_ssize_t i = 0;
#if defined(__SSE2__)
    const __m128i low = _mm_set1_epi8(0x0a), three = _mm_set1_epi8(3);
    for (; i + 16 <= n; i += 16) {
        __m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(s + i)), low);
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, three), d)))
            return 0;
    }
#endif
    for (; i < n; i++) {
        if ((unsigned char)(s[i] - 0x0a) <= 3)
            return 0;
    }
    return 1;
}

/* _headers._clean_column's rule for one value: each fold (an optional CR, a LF and the blanks
 * after it: _headers._FOLD) made one space, then the ASCII whitespace at both ends stripped
 * (bytes.strip). A fold is looked for left to right, going on after the one before it, as
 * re.sub does. The clean value of s[0:n] is written to out (room for n bytes); returns its length. */
static int is_ascii_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static Py_ssize_t clean_into(const unsigned char *s, Py_ssize_t n, unsigned char *out) {
    Py_ssize_t m = 0, a = 0;
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t lf = s[i] == '\r' && i + 1 < n && s[i + 1] == '\n' ? i + 1 : i;
        if (s[lf] == '\n' && lf + 1 < n && is_blank(s[lf + 1])) {
            i = lf + 1;
            while (i < n && is_blank(s[i]))
                i++;
            out[m++] = ' ';
        } else {
            out[m++] = s[i++];
        }
    }
    while (a < m && is_ascii_space(out[a]))
        a++;
    while (m > a && is_ascii_space(out[m - 1]))
        m--;
    if (a)
        memmove(out, out + a, (size_t)(m - a));
    return m - a;
}

/* Room in a CODED name's table for one more distinct value (half full at most). */
static int coded_reserve(Coded *c, Py_ssize_t distinct) {
    if (c->slots != NULL && (distinct + 1) * 2 <= ((Py_ssize_t)1 << c->bits))
        return 0;
    int bits = c->slots == NULL ? 8 : c->bits + 1;
    int32_t *slots = PyMem_Malloc(sizeof(int32_t) << bits);
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memset(slots, 0xff, sizeof(int32_t) << bits);
    size_t mask = ((size_t)1 << bits) - 1;
    const uint64_t *hashes = (const uint64_t *)c->hashes.data;
    for (Py_ssize_t code = 0; code < distinct; code++) {
        size_t j = na_slot_of(hashes[code], bits);
        while (slots[j] >= 0)
            j = (j + 1) & mask;
        slots[j] = (int32_t)code;
    }
    PyMem_Free(c->slots);
    c->slots = slots;
    c->bits = bits;
    return 0;
}

/* A CODED name's value: its code (the value made a bytes object the first time it is met). */
static int code_value(Walk *w, int k, const char *start, Py_ssize_t size) {
    Coded *c = &w->coded[k];
    PyObject *distinct = PyList_GET_ITEM(w->values, k);
    Py_ssize_t n = PyList_GET_SIZE(distinct);
    if (n >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "header_values: more than 2**31 distinct values");
        return -1;
    }
    if (coded_reserve(c, n) < 0)
        return -1;
    uint64_t h = na_hash_bytes(start, size);
    size_t mask = ((size_t)1 << c->bits) - 1, j = na_slot_of(h, c->bits);
    const uint64_t *hashes = (const uint64_t *)c->hashes.data;
    int32_t code;
    while ((code = c->slots[j]) >= 0) {
        PyObject *v = PyList_GET_ITEM(distinct, code);
        if (hashes[code] == h && PyBytes_GET_SIZE(v) == size && memcmp(PyBytes_AS_STRING(v), start, (size_t)size) == 0)
            break;
        j = (j + 1) & mask;
    }
    if (code < 0) { /* first met */
        PyObject *value = PyBytes_FromStringAndSize(start, size);
        if (value == NULL)
            return -1;
        int failed = PyList_Append(distinct, value);
        Py_DECREF(value);
        if (failed || na_buffer_add(&c->hashes, &h, sizeof h) < 0)
            return -1;
        if (!w->unclean[k] && !is_clean((const unsigned char *)start, size))
            w->unclean[k] = 1;
        code = (int32_t)n;
        c->slots[j] = code;
    }
    return na_buffer_add_int32(&c->codes, code);
}

/* The open value ends at ``end`` (a newline of the block, or its end): kept with its block. */
static int close_value(Walk *w, Py_ssize_t end) {
    int k = w->open;
    w->open = -1;
    Rows *rows = &w->rows[k];
    if (rows->n == rows->capacity) {
        Py_ssize_t capacity = rows->capacity ? 2 * rows->capacity : 256;
        int64_t *data = PyMem_Realloc(rows->data, (size_t)capacity * sizeof(int64_t));
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        rows->data = data;
        rows->capacity = capacity;
    }
    rows->data[rows->n++] = w->block;
    const char *start = (const char *)w->s + w->value;
    Py_ssize_t size = end - w->value;
    if (w->kind[k] == CODED)
        return code_value(w, k, start, size);
    if (w->kind[k] == FLAT) { /* cleaned into the name's buffer */
        na_buffer *data = &w->data[k];
        if (na_buffer_reserve(data, size) < 0)
            return -1;
        if (is_clean((const unsigned char *)start, size)) { /* (it starts with no blank: see above) */
            memcpy(data->data + data->n, start, (size_t)size);
            data->n += size;
        } else {
            data->n += clean_into((const unsigned char *)start, size, (unsigned char *)data->data + data->n);
        }
        return na_buffer_add_int64(&w->offsets[k], (int64_t)data->n);
    }
    /* a value equal to the name's value before it is that same object: a list archive repeats
     * List-Id, List-Post, Precedence, Delivered-To from message to message (52% and 56% of the
     * values of the two real corpora), which then cost no allocation here and one hash downstream */
    PyObject *values = PyList_GET_ITEM(w->values, k), *value;
    Py_ssize_t count = PyList_GET_SIZE(values);
    PyObject *last = count ? PyList_GET_ITEM(values, count - 1) : NULL;
    if (last != NULL && PyBytes_GET_SIZE(last) == size && memcmp(PyBytes_AS_STRING(last), start, size) == 0) {
        value = Py_NewRef(last);
    } else {
        if ((value = PyBytes_FromStringAndSize(start, size)) == NULL)
            return -1;
        if (!w->unclean[k] && !is_clean((const unsigned char *)start, size))
            w->unclean[k] = 1;
    }
    int failed = PyList_Append(values, value);
    Py_DECREF(value);
    return failed ? -1 : 0;
}

/* A newline of the block at q that is not followed by a blank (newlines come in order; the
 * block's last byte counts as followed by none). */
static inline int at_newline(Walk *w, Py_ssize_t q) {
    if (w->open >= 0 && close_value(w, q) < 0)
        return -1;
    const Names *names = w->names;
    uint64_t sifted = names->sift[0][byte_at(w, q + 1)] & names->sift[1][byte_at(w, q + 2)] &
                      names->sift[2][byte_at(w, q + 3)];
    if (!sifted)
        return 0; /* a newline at the block's end lands here: nothing follows it */
    Py_ssize_t colon;
    int k = line_name(names, sifted, w->s, q + 1, w->size, &colon);
    if (k < 0 || (w->seen >> k) & 1)
        return 0; /* not wanted, or not the first line of its name in this block */
    w->seen |= (uint64_t)1 << k;
    Py_ssize_t value = colon + 1;
    while (value < w->size && is_blank(w->s[value]))
        value++;
    w->open = k;
    w->value = value;
    return 0;
}

#if defined(__SSE2__)
/* The newlines of p[0..64) not followed by a blank (bit i for p[i]); reads p[0..65). */
static inline uint64_t line_stops(const unsigned char *p) {
    const __m128i newline = _mm_set1_epi8('\n'), space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    uint64_t m = 0;
    for (int h = 0; h < 4; h++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * h));
        __m128i y = _mm_loadu_si128((const __m128i *)(p + 16 * h + 1));
        __m128i stop = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(y, space), _mm_cmpeq_epi8(y, tab)),
                                        _mm_cmpeq_epi8(x, newline));
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(stop) << (16 * h);
    }
    return m;
}
#endif

/* One block: its values, then the one still open at its end. */
static int walk_block(Walk *w) {
    const unsigned char *s = w->s;
    Py_ssize_t size = w->size, i = 0;
    w->seen = 0;
    w->open = -1;
#if defined(__SSE2__)
    /* 64 bytes at a time (a real header line is about 60); the last 64 or fewer from a zeroed
     * copy, so that no load reads past the block (its last newline is then followed by a zero
     * byte, not a blank: a stop, as the block's end is) */
    for (;; i += 64) {
        uint64_t m;
        if (i + 64 < size) {
            m = line_stops(s + i);
        } else {
            unsigned char tail[80] = {0};
            memcpy(tail, s + i, (size_t)(size - i));
            m = line_stops(tail);
        }
        for (; m; m &= m - 1) {
            if (at_newline(w, i + na_ctz64(m)) < 0)
                return -1;
        }
        if (i + 64 >= size)
            break;
    }
#else
    while (i < size) {
        const unsigned char *q = memchr(s + i, '\n', (size_t)(size - i));
        if (q == NULL)
            break;
        i = q - s + 1;
        if (!(i < size && is_blank(s[i])) && at_newline(w, q - s) < 0)
            return -1;
    }
#endif
    return w->open >= 0 ? close_value(w, size) : 0;
}

static int read_names(PyObject *seq, Names *names) {
    PyObject *fast = PySequence_Fast(seq, "header_values: names must be a list of bytes");
    if (fast == NULL)
        return -1;
    memset(names, 0, sizeof(*names));
    names->count = PySequence_Fast_GET_SIZE(fast);
    if (names->count > MAX_NAMES) {
        PyErr_Format(PyExc_ValueError, "header_values: %zd names, at most %d are supported", names->count,
                     MAX_NAMES);
        goto fail;
    }
    for (Py_ssize_t k = 0; k < names->count; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, k);
        char *b;
        Py_ssize_t n;
        if (!PyBytes_Check(item) || PyBytes_AsStringAndSize(item, &b, &n) < 0) {
            PyErr_Format(PyExc_TypeError, "header_values: name %zd is not bytes", k);
            goto fail;
        }
        if (n < 2 || n > MAX_NAME) {
            PyErr_Format(PyExc_ValueError,
                         "header_values: name %zd (%R) has %zd bytes; 2 to %d are supported", k, item, n,
                         MAX_NAME);
            goto fail;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)b[i];
            if (!((c >= 'a' && c <= 'z') || c == '-')) {
                PyErr_Format(PyExc_ValueError,
                             "header_values: name %zd (%R) holds a byte other than a-z and \"-\"; give "
                             "names in lower case",
                             k, item);
                goto fail;
            }
        }
        for (int m = 0; m < names->n_of_length[n]; m++) {
            if (memcmp(names->word[names->of_length[n][m]], b, (size_t)n) == 0) {
                PyErr_Format(PyExc_ValueError, "header_values: name %zd (%R) is given twice", k, item);
                goto fail;
            }
        }
        memcpy(names->word[k], b, (size_t)n);
        names->of_length[n][names->n_of_length[n]++] = (int)k;
        for (int p = 0; p < 3; p++) {
            uint64_t bit = (uint64_t)1 << k;
            unsigned char c = p < n ? (unsigned char)b[p] : 0;
            if (c == 0) {
                names->sift[p][' '] |= bit;
                names->sift[p]['\t'] |= bit;
                names->sift[p][':'] |= bit;
            } else {
                names->sift[p][c] |= bit;
                if (c != '-')
                    names->sift[p][c - 32] |= bit;
            }
        }
    }
    Py_DECREF(fast);
    return 0;
fail:
    Py_DECREF(fast);
    return -1;
}

PyObject *na_header_values(PyObject *self, PyObject *args) {
    PyObject *blocks_obj, *names_obj;
    const char *kind = NULL;
    Py_ssize_t n_kinds = 0;
    if (!PyArg_ParseTuple(args, "OO|y#", &blocks_obj, &names_obj, &kind, &n_kinds))
        return NULL;
    Names names;
    if (read_names(names_obj, &names) < 0)
        return NULL;
    char all_lists[MAX_NAMES] = {0};
    if (kind == NULL) {
        kind = all_lists;
    } else if (n_kinds != names.count) {
        PyErr_Format(PyExc_ValueError, "header_values: %zd kinds for %zd names", n_kinds, names.count);
        return NULL;
    } else {
        for (Py_ssize_t k = 0; k < n_kinds; k++) {
            if (kind[k] != LIST && kind[k] != FLAT && kind[k] != CODED) {
                PyErr_Format(PyExc_ValueError, "header_values: kind %d of name %zd is none of 0 (list), 1 (flat), 2 (coded)",
                             (int)kind[k], k);
                return NULL;
            }
        }
    }
    PyObject *blocks = PySequence_Fast(blocks_obj, "header_values: blocks must be a list of bytes");
    if (blocks == NULL)
        return NULL;
    Walk w = {0};
    w.names = &names;
    w.kind = kind;
    PyObject *rows = NULL, *result = NULL;
    if ((w.values = PyList_New(names.count)) == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < names.count; k++) {
        PyObject *list = PyList_New(0);
        if (list == NULL)
            goto done;
        PyList_SET_ITEM(w.values, k, list);
        if (kind[k] == FLAT && na_buffer_add_int64(&w.offsets[k], 0) < 0)
            goto done;
    }
    Py_ssize_t n_blocks = PySequence_Fast_GET_SIZE(blocks);
    PyObject **items = PySequence_Fast_ITEMS(blocks);
    for (w.block = 0; w.block < n_blocks; w.block++) {
        PyObject *block = items[w.block];
        if (!PyBytes_Check(block)) {
            PyErr_Format(PyExc_TypeError,
                         "header_values: blocks[%zd] is a %.200s, not bytes (the mbox scan gives bytes; "
                         "convert others with bytes())",
                         w.block, Py_TYPE(block)->tp_name);
            goto done;
        }
        w.s = (const unsigned char *)PyBytes_AS_STRING(block);
        w.size = PyBytes_GET_SIZE(block);
        if (walk_block(&w) < 0)
            goto done;
    }
    if ((rows = PyList_New(names.count)) == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < names.count; k++) {
        PyObject *b = PyBytes_FromStringAndSize((const char *)w.rows[k].data,
                                                w.rows[k].n * (Py_ssize_t)sizeof(int64_t));
        if (b == NULL)
            goto done;
        PyList_SET_ITEM(rows, k, b);
        PyObject *pair = NULL; /* in place of the list: (offsets, data) or (distinct values, codes) */
        if (kind[k] == FLAT)
            pair = Py_BuildValue("(NN)", na_buffer_take(&w.offsets[k]), na_buffer_take(&w.data[k]));
        else if (kind[k] == CODED)
            pair = Py_BuildValue("(ON)", PyList_GET_ITEM(w.values, k), na_buffer_take(&w.coded[k].codes));
        if (kind[k] != LIST && (pair == NULL || PyList_SetItem(w.values, k, pair) < 0)) /* (steals pair) */
            goto done;
    }
    PyObject *unclean = PyBytes_FromStringAndSize(w.unclean, names.count);
    if (unclean == NULL)
        goto done;
    result = PyTuple_Pack(3, rows, w.values, unclean);
    Py_DECREF(unclean);
done:
    for (int k = 0; k < MAX_NAMES; k++) {
        PyMem_Free(w.rows[k].data);
        PyMem_Free(w.data[k].data); /* (NULL once taken) */
        PyMem_Free(w.offsets[k].data);
        PyMem_Free(w.coded[k].slots);
        PyMem_Free(w.coded[k].hashes.data);
        PyMem_Free(w.coded[k].codes.data);
    }
    Py_XDECREF(rows);
    Py_XDECREF(w.values);
    Py_DECREF(blocks);
    return result;
}

/* unfolded: netanalytics.io._headers._clean_column's rule (clean_into), value by value. */

/* The value cleaned: a new reference, v itself when nothing changes. */
static PyObject *unfold_one(PyObject *v) {
    const unsigned char *s = (const unsigned char *)PyBytes_AS_STRING(v);
    Py_ssize_t n = PyBytes_GET_SIZE(v), a = 0, b = n;
    if (memchr(s, '\n', (size_t)n) == NULL) { /* no fold: only the ends (no copy) */
        while (a < b && is_ascii_space(s[a]))
            a++;
        while (b > a && is_ascii_space(s[b - 1]))
            b--;
        if (a == 0 && b == n) {
            Py_INCREF(v);
            return v;
        }
        return PyBytes_FromStringAndSize((const char *)s + a, b - a);
    }
    unsigned char *out = PyMem_Malloc((size_t)n);
    if (out == NULL)
        return PyErr_NoMemory();
    Py_ssize_t m = clean_into(s, n, out);
    PyObject *clean;
    if (m == n && memcmp(out, s, (size_t)n) == 0) {
        Py_INCREF(v);
        clean = v;
    } else {
        clean = PyBytes_FromStringAndSize((const char *)out, m);
    }
    PyMem_Free(out);
    return clean;
}

PyObject *na_unfolded(PyObject *self, PyObject *values) {
    if (!PyList_Check(values)) {
        PyErr_SetString(PyExc_TypeError, "unfolded: values must be a list of bytes");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(values);
    PyObject *out = NULL; /* made at the first value that changes */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(values, i);
        if (!PyBytes_Check(v)) {
            PyErr_Format(PyExc_TypeError, "unfolded: values[%zd] is a %.200s, not bytes", i, Py_TYPE(v)->tp_name);
            Py_XDECREF(out);
            return NULL;
        }
        PyObject *clean = unfold_one(v);
        if (clean == NULL) {
            Py_XDECREF(out);
            return NULL;
        }
        if (clean != v && out == NULL) {
            if ((out = PyList_New(n)) == NULL) {
                Py_DECREF(clean);
                return NULL;
            }
            for (Py_ssize_t k = 0; k < i; k++) {
                PyObject *same = PyList_GET_ITEM(values, k);
                Py_INCREF(same);
                PyList_SET_ITEM(out, k, same);
            }
        }
        if (out != NULL)
            PyList_SET_ITEM(out, i, clean);
        else
            Py_DECREF(clean);
    }
    if (out == NULL) {
        Py_INCREF(values);
        return values;
    }
    return out;
}
