/* wanted_lines: the first line of each wanted header in each of many header blocks joined.
 *
 * The same result as netanalytics.io._headers._wanted_lines (see its docstring for the rules),
 * found in one pass over the newlines of the text: 64 bytes at a time with SSE2 where the machine
 * has it, memchr otherwise. At each newline: a block's end moves to the next block; a newline
 * followed by a blank goes on with the value before it (a continuation line); any other newline
 * ends that value and starts a line, whose name is read only when its first three bytes may
 * start a wanted name. The wanted names come from Python (_headers._BULK_NAMES), so that the
 * list lives in one place; a name's index is its place in that list.
 */
#include "speedups.h"
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_NAMES 64
#define MAX_NAME 16 /* bytes of the longest name */
#define PAD 24      /* zero bytes after the text proper (_headers._PAD) */

typedef struct {
    Py_ssize_t count;
    unsigned char name[MAX_NAMES][MAX_NAME]; /* lower case */
    /* sift[p][c]: the names (bit k for name k) a line may hold whose byte p is c: the name's byte
     * in either case, or a blank or the colon after a two-byte name */
    uint64_t sift[3][256];
    int of_length[MAX_NAME + 1][MAX_NAMES];  /* the names of each length */
    int n_of_length[MAX_NAME + 1];
} Names;

typedef struct {
    int64_t block, name, value, end;
} Line;

typedef struct {
    const unsigned char *s;
    Py_ssize_t size; /* the text without its padding */
    const int64_t *ends;
    Py_ssize_t n_blocks;
    const Names *names;
    Py_ssize_t block; /* the block of the newlines met now, and its end */
    int64_t end;
    int64_t seen[MAX_NAMES]; /* the last block in which each name was found */
    Line *lines;
    Py_ssize_t n_lines, capacity;
    Py_ssize_t open; /* the line whose value runs on (its end not met yet), or -1 */
} Walk;

static inline int is_blank(unsigned char c) { return c == ' ' || c == '\t'; }

/* Whether two names of 16 bytes (zero-padded) are equal: two 8-byte compares, not a call. */
static inline int same_name(const unsigned char *a, const unsigned char *b) {
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a, 8);
    memcpy(&a1, a + 8, 8);
    memcpy(&b0, b, 8);
    memcpy(&b1, b + 8, 8);
    return a0 == b0 && a1 == b1;
}

/* The index of the wanted name among those of ``sifted`` (bit k for name k) that starts the
 * line at i (then blanks and a colon, before size; *colon set to its place), or -1. */
static inline int line_name(const Names *names, uint64_t sifted, const unsigned char *s, Py_ssize_t i,
                            Py_ssize_t size, Py_ssize_t *colon) {
    unsigned char low[MAX_NAME] = {0};
    Py_ssize_t n = 0;
    for (; i + n < size; n++) {
        unsigned char c = s[i + n];
        if (c == ':' || c == '\n' || is_blank(c))
            break;
        if (n == MAX_NAME)
            return -1;
        low[n] = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; /* ASCII letters only: a CR stays */
    }
    Py_ssize_t j = i + n;
    while (j < size && is_blank(s[j]))
        j++;
    if (j >= size || s[j] != ':')
        return -1;
    for (int m = 0; m < names->n_of_length[n]; m++) {
        int k = names->of_length[n][m];
        if (((sifted >> k) & 1) && same_name(names->name[k], low)) {
            *colon = j;
            return k;
        }
    }
    return -1;
}

static int add_line(Walk *w, int64_t name, int64_t value) {
    if (w->n_lines == w->capacity) {
        Py_ssize_t capacity = w->capacity ? 2 * w->capacity : 1024;
        Line *lines = PyMem_Realloc(w->lines, (size_t)capacity * sizeof(Line));
        if (lines == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        w->lines = lines;
        w->capacity = capacity;
    }
    w->lines[w->n_lines] = (Line){w->block, name, value, -1};
    w->open = w->n_lines++;
    return 0;
}

/* One newline of the text, at q (newlines come in order). */
static inline int at_newline(Walk *w, Py_ssize_t q) {
    const unsigned char *s = w->s;
    int continues = q != w->end && is_blank(s[q + 1]); /* s[q + 1] lies inside the padding at worst */
    if (continues)
        return 0;
    if (w->open >= 0) {
        w->lines[w->open].end = q;
        w->open = -1;
    }
    if (q == w->end) { /* a newline joining two blocks starts no line */
        w->block++;
        w->end = w->block < w->n_blocks ? w->ends[w->block] : -1;
        return 0;
    }
    const Names *names = w->names;
    uint64_t sifted = names->sift[0][s[q + 1]] & names->sift[1][s[q + 2]] & names->sift[2][s[q + 3]];
    if (!sifted)
        return 0; /* s[q + 3] lies inside the padding at worst */
    Py_ssize_t colon;
    int k = line_name(names, sifted, s, q + 1, w->size, &colon);
    if (k < 0 || w->seen[k] == w->block)
        return 0; /* not wanted, or not the first line of its name in this block */
    w->seen[k] = w->block;
    Py_ssize_t value = colon + 1;
    while (value < w->size && is_blank(s[value]))
        value++;
    return add_line(w, k, value);
}

static int read_names(PyObject *seq, Names *names) {
    PyObject *fast = PySequence_Fast(seq, "wanted_lines: names must be a list of bytes");
    if (fast == NULL)
        return -1;
    memset(names, 0, sizeof(*names));
    names->count = PySequence_Fast_GET_SIZE(fast);
    if (names->count > MAX_NAMES) {
        PyErr_Format(PyExc_ValueError, "wanted_lines: %zd names, at most %d are supported", names->count,
                     MAX_NAMES);
        goto fail;
    }
    for (Py_ssize_t k = 0; k < names->count; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, k);
        char *b;
        Py_ssize_t n;
        if (!PyBytes_Check(item) || PyBytes_AsStringAndSize(item, &b, &n) < 0) {
            PyErr_Format(PyExc_TypeError, "wanted_lines: name %zd is not bytes", k);
            goto fail;
        }
        if (n < 2 || n > MAX_NAME) {
            PyErr_Format(PyExc_ValueError, "wanted_lines: name %zd (%R) has %zd bytes; 2 to %d are supported",
                         k, item, n, MAX_NAME);
            goto fail;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)b[i];
            if (!((c >= 'a' && c <= 'z') || c == '-')) {
                PyErr_Format(PyExc_ValueError,
                             "wanted_lines: name %zd (%R) holds a byte other than a-z and \"-\"; give "
                             "names in lower case",
                             k, item);
                goto fail;
            }
        }
        for (int m = 0; m < names->n_of_length[n]; m++) {
            if (memcmp(names->name[names->of_length[n][m]], b, (size_t)n) == 0) {
                PyErr_Format(PyExc_ValueError, "wanted_lines: name %zd (%R) is given twice", k, item);
                goto fail;
            }
        }
        memcpy(names->name[k], b, (size_t)n);
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

/* Whether a buffer's items are native int64 (numpy exports "l" on LP64 systems, "q" elsewhere). */
static int is_int64(const Py_buffer *view) {
    const char *f = view->format ? view->format : "B";
    if (*f == '@' || *f == '=' || (PY_LITTLE_ENDIAN && *f == '<') || (!PY_LITTLE_ENDIAN && *f == '>'))
        f++;
    return view->itemsize == 8 && (strcmp(f, "l") == 0 || strcmp(f, "q") == 0);
}

/* Block ends: ascending newlines of the text, the last one its last byte before the padding. */
static int check_ends(const unsigned char *s, Py_ssize_t size, const int64_t *ends, Py_ssize_t n) {
    int64_t before = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        int64_t e = ends[k];
        if (e <= before || e >= size || s[e] != '\n') {
            PyErr_Format(PyExc_ValueError,
                         "wanted_lines: ends[%zd] = %lld is not the newline after block %zd (the ends must "
                         "be the ascending places of the newlines joining the blocks, in a text of %zd bytes "
                         "before its padding)",
                         k, (long long)e, k, size);
            return -1;
        }
        before = e;
    }
    if (before != size - 1) {
        PyErr_Format(PyExc_ValueError,
                     "wanted_lines: the last block ends at %lld, but the text has %zd bytes before its %d "
                     "bytes of padding: the last end must be the newline just before the padding",
                     (long long)before, size, PAD);
        return -1;
    }
    return 0;
}

static PyObject *int64_bytes(Py_ssize_t n, char **data) {
    PyObject *b = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
    if (b != NULL)
        *data = PyBytes_AS_STRING(b);
    return b;
}

PyObject *na_wanted_lines(PyObject *self, PyObject *args) {
    PyObject *text, *ends_obj, *names_obj;
    if (!PyArg_ParseTuple(args, "OOO", &text, &ends_obj, &names_obj))
        return NULL;
    Names names;
    if (read_names(names_obj, &names) < 0)
        return NULL;
    Py_buffer tv, ev;
    if (PyObject_GetBuffer(text, &tv, PyBUF_SIMPLE) < 0)
        return NULL;
    if (PyObject_GetBuffer(ends_obj, &ev, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&tv);
        return NULL;
    }
    PyObject *out[4] = {NULL, NULL, NULL, NULL};
    Walk w = {0};
    if (ev.ndim != 1 || !is_int64(&ev)) {
        PyErr_Format(PyExc_TypeError,
                     "wanted_lines: ends must be a one-dimensional contiguous int64 array (got %d "
                     "dimensions of format '%s', %zd-byte items)",
                     ev.ndim, ev.format ? ev.format : "B", ev.itemsize);
        goto fail;
    }
    if (tv.len < PAD) {
        PyErr_Format(PyExc_ValueError,
                     "wanted_lines: the text has %zd bytes; it must end with %d zero bytes of padding",
                     tv.len, PAD);
        goto fail;
    }
    w.s = tv.buf;
    w.size = tv.len - PAD;
    w.ends = ev.buf;
    w.n_blocks = ev.len / 8;
    w.names = &names;
    w.end = w.n_blocks ? w.ends[0] : -1;
    w.open = -1;
    for (int k = 0; k < MAX_NAMES; k++)
        w.seen[k] = -1;
    if (check_ends(w.s, w.size, w.ends, w.n_blocks) < 0)
        goto fail;

    Py_ssize_t i = 0;
#if defined(__SSE2__)
    /* 64 bytes at a time (a real header line is about 60): the newlines not followed by a blank
     * (a continuation line's newline changes nothing), and the block's end wherever it is */
    const __m128i newline = _mm_set1_epi8('\n'), space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    for (; i + 64 <= w.size; i += 64) {
        uint64_t m = 0;
        for (int h = 0; h < 4; h++) { /* y reaches into the padding at worst */
            __m128i x = _mm_loadu_si128((const __m128i *)(w.s + i + 16 * h));
            __m128i y = _mm_loadu_si128((const __m128i *)(w.s + i + 16 * h + 1));
            __m128i line = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(y, space), _mm_cmpeq_epi8(y, tab)),
                                            _mm_cmpeq_epi8(x, newline));
            m |= (uint64_t)(unsigned)_mm_movemask_epi8(line) << (16 * h);
        }
        for (;;) {
            if (w.end >= i && w.end < i + 64)
                m |= (uint64_t)1 << (w.end - i);
            if (!m)
                break;
            Py_ssize_t q = i + __builtin_ctzll(m);
            m &= m - 1;
            if (at_newline(&w, q) < 0)
                goto fail;
        }
    }
#endif
    while (i < w.size) {
        const unsigned char *q = memchr(w.s + i, '\n', (size_t)(w.size - i));
        if (q == NULL)
            break;
        if (at_newline(&w, q - w.s) < 0)
            goto fail;
        i = q - w.s + 1;
    }

    /* by name (a counting sort, stable: within a name in block order) */
    Py_ssize_t start[MAX_NAMES + 1] = {0};
    for (Py_ssize_t j = 0; j < w.n_lines; j++)
        start[w.lines[j].name + 1]++;
    for (int k = 0; k < MAX_NAMES; k++)
        start[k + 1] += start[k];
    int64_t *col[4];
    for (int c = 0; c < 4; c++) {
        char *data;
        if ((out[c] = int64_bytes(w.n_lines, &data)) == NULL)
            goto fail;
        col[c] = (int64_t *)data;
    }
    for (Py_ssize_t j = 0; j < w.n_lines; j++) {
        const Line *l = &w.lines[j];
        Py_ssize_t at = start[l->name]++;
        col[0][at] = l->block;
        col[1][at] = l->name;
        col[2][at] = l->value;
        col[3][at] = l->end;
    }
    PyMem_Free(w.lines);
    PyBuffer_Release(&tv);
    PyBuffer_Release(&ev);
    return Py_BuildValue("(NNNN)", out[0], out[1], out[2], out[3]);
fail:
    PyMem_Free(w.lines);
    PyBuffer_Release(&tv);
    PyBuffer_Release(&ev);
    for (int c = 0; c < 4; c++)
        Py_XDECREF(out[c]);
    return NULL;
}
