/* address_lists: netanalytics.io._mbox.Batch._address_lists's loop, for the raw values of an
 * address header (To, Cc...), each parsed once per batch.
 *
 * address_lists(raws, cache, elements, shared, plain_address, parse_addresses, decode_bytes, empty)
 * returns one (keys, names) tuple per raw value:
 * - None or b"": (empty, empty);
 * - a value in cache: cache[raw];
 * - otherwise a plain list (no '"', '(', ':' or ';') is split on its commas; each element,
 *   without the spaces and tabs around it, is looked up in `elements` (an ElementTable,
 *   below) by its text in UTF-8, else read by
 *   plain_address (_headers._plain_address) and kept there with its key already
 *   shared.setdefault(key, key) (the caller empties elements whenever it empties shared). A
 *   value in UTF-8 is split as bytes, where it lies: its commas are the commas of its text, and
 *   an element is decoded only the first time it is met. A value not in UTF-8 is decoded by
 *   decode_bytes(raw) and split as text. A list that is not plain, or holds an element without
 *   an address (plain_address gives None), is read whole by parse_addresses(raw) and its keys
 *   made shared. Names are the list's names when one is not "", else `empty`. The pair is
 *   stored in cache[raw].
 * That is what _headers.parse_address_lists and the Python loop of _address_lists make.
 *
 * ElementTable: the elements already read, (key, name) or "no address" by the element's text.
 * An open-addressing table on a 64-bit hash of the text's UTF-8 bytes (na_hash_bytes): a lookup needs
 * no new object and no dict probe (a dict lookup of a new substring was a third of the loop's
 * time: hashing it, then comparing it with the stored key, each a cache miss among ~20,000
 * people's elements). Python sees len(table) and table.clear().
 */
#include "speedups.h"
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const char PLAIN_BREAKERS[] = "\"(:;";

/* Whether c is one of PLAIN_BREAKERS (split_plain's byte loop; its SSE2 loop compares the same four). */
static inline int is_breaker(char c) { return c == '"' || c == '(' || c == ':' || c == ';'; }

/* 1 when text holds none of '"', '(', ':', ';'; 0 when it does; -1 on error. */
static int is_plain(PyObject *text) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (const char *c = PLAIN_BREAKERS; *c; c++) {
        Py_ssize_t at = PyUnicode_FindChar(text, (Py_UCS4)*c, 0, n, 1);
        if (at == -2)
            return -1;
        if (at >= 0)
            return 0;
    }
    return 1;
}

typedef struct {
    uint64_t hash; /* 0: an empty slot */
    PyObject *text; /* bytes: the element's text in UTF-8 */
    PyObject *key;  /* the shared key, or NULL: no address */
    PyObject *name;
    /* for address_flat: the codes of key and name in the FlatTable of that generation (0: none yet) */
    uint64_t generation;
    int32_t key_code, name_code;
} na_element;

typedef struct {
    PyObject_HEAD
    na_element *slots;
    int bits;
    Py_ssize_t used;
} na_ElementTable;


static void table_free_slots(na_ElementTable *t) {
    if (t->slots == NULL)
        return;
    for (size_t i = 0; i < ((size_t)1 << t->bits); i++) {
        if (t->slots[i].hash) {
            Py_DECREF(t->slots[i].text);
            Py_XDECREF(t->slots[i].key);
            Py_XDECREF(t->slots[i].name);
        }
    }
    PyMem_Free(t->slots);
    t->slots = NULL;
    t->bits = 0;
    t->used = 0;
}

/* The slot holding the text p[0:n] (hash h), or the empty slot where it would go. */
static na_element *table_find(na_ElementTable *t, const char *p, Py_ssize_t n, uint64_t h) {
    size_t mask = ((size_t)1 << t->bits) - 1, i = na_slot_of(h, t->bits);
    for (;; i = (i + 1) & mask) {
        na_element *e = &t->slots[i];
        if (e->hash == 0)
            return e;
        if (e->hash == h && PyBytes_GET_SIZE(e->text) == n && memcmp(PyBytes_AS_STRING(e->text), p, (size_t)n) == 0)
            return e;
    }
}

static int table_reserve(na_ElementTable *t) { /* room for one more element */
    if (t->slots != NULL && (t->used + 1) * 2 <= ((Py_ssize_t)1 << t->bits))
        return 0;
    int bits = t->slots == NULL ? 10 : t->bits + 1;
    na_element *slots = PyMem_Calloc((size_t)1 << bits, sizeof(na_element));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    na_ElementTable bigger = {.slots = slots, .bits = bits, .used = t->used};
    if (t->slots != NULL) {
        size_t mask = ((size_t)1 << bits) - 1;
        for (size_t i = 0; i < ((size_t)1 << t->bits); i++) {
            if (t->slots[i].hash == 0)
                continue;
            size_t j = na_slot_of(t->slots[i].hash, bits);
            while (slots[j].hash)
                j = (j + 1) & mask;
            slots[j] = t->slots[i];
        }
        PyMem_Free(t->slots);
    }
    t->slots = bigger.slots;
    t->bits = bigger.bits;
    return 0;
}

static PyObject *table_clear(PyObject *self, PyObject *unused) {
    table_free_slots((na_ElementTable *)self);
    Py_RETURN_NONE;
}

static Py_ssize_t table_len(PyObject *self) { return ((na_ElementTable *)self)->used; }

static void table_dealloc(PyObject *self) {
    table_free_slots((na_ElementTable *)self);
    Py_TYPE(self)->tp_free(self);
}

static PyMethodDef table_methods[] = {
    {"clear", table_clear, METH_NOARGS, "Forget every element."},
    {NULL, NULL, 0, NULL},
};

static PyMappingMethods table_mapping = {.mp_length = table_len};

PyTypeObject na_ElementTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "netanalytics.io._speedups.ElementTable",
    .tp_basicsize = sizeof(na_ElementTable),
    .tp_dealloc = table_dealloc,
    .tp_as_mapping = &table_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The elements of plain address lists already read (see address_lists).",
    .tp_methods = table_methods,
    .tp_new = PyType_GenericNew,
};

/* --- display names with encoded words or quotes ------------------------------------------- */

static int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int base64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* How the payload of an encoded word in charset p[0:n] is read here: 1 as UTF-8 (utf-8 and the
 * names _headers._CHARSET_ALIASES makes utf-8: us-ascii, ascii, utf8), 2 as ISO-8859-1, 0 not
 * here (any other charset, or a language suffix "*en": _decode_payload's rules). */
static int charset_kind(const char *p, Py_ssize_t n) {
    static const char *const utf8[] = {"utf-8", "utf8", "us-ascii", "ascii"};
    static const char *const latin1[] = {"iso-8859-1", "latin1", "latin-1"};
    char low[12];
    if (n >= (Py_ssize_t)sizeof low)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++)
        low[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] + ('a' - 'A')) : p[i];
    low[n] = '\0';
    for (size_t i = 0; i < sizeof utf8 / sizeof *utf8; i++)
        if (strcmp(low, utf8[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof latin1 / sizeof *latin1; i++)
        if (strcmp(low, latin1[i]) == 0)
            return 2;
    return 0;
}

/* The bytes of a B payload p[0:n] into out: 1, or 0 when it is not plain base64 (letters of the
 * alphabet, then the '=' that complete the last quantum, or none of them): binascii's lenient
 * reading of anything else (skipped letters, short or long padding) is left to _decode_word. */
static int base64_bytes(const char *p, Py_ssize_t n, unsigned char *out, Py_ssize_t *size) {
    Py_ssize_t m = 0;
    while (m < n && base64_value((unsigned char)p[m]) >= 0)
        m++;
    Py_ssize_t pads = n - m;
    for (Py_ssize_t i = m; i < n; i++)
        if (p[i] != '=')
            return 0;
    int rest = (int)(m % 4);
    if (!(rest == 0 && pads == 0) && !(rest == 2 && (pads == 0 || pads == 2)) && !(rest == 3 && pads <= 1))
        return 0;
    uint32_t bits = 0;
    int held = 0;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
        bits = (bits << 6) | (uint32_t)base64_value((unsigned char)p[i]);
        held += 6;
        if (held >= 8) {
            held -= 8;
            out[k++] = (unsigned char)(bits >> held);
        }
    }
    *size = k;
    return 1;
}

/* The bytes of a Q payload p[0:n] into out ('_' a space, "=XX" a byte): 1, or 0 when a '=' is
 * not followed by two hexadecimal digits (binascii.a2b_qp's own reading of those is left to
 * _decode_word). */
static int quoted_bytes(const char *p, Py_ssize_t n, unsigned char *out, Py_ssize_t *size) {
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] == '=') {
            int hi = i + 2 < n ? hex_value((unsigned char)p[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value((unsigned char)p[i + 2]) : -1;
            if (lo < 0)
                return 0;
            out[k++] = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else {
            out[k++] = p[i] == '_' ? ' ' : (unsigned char)p[i];
        }
    }
    *size = k;
    return 1;
}

/* A letter of a display name read here: not a control character (C0, or NEL U+0085, which
 * str.split() takes for a space), not a no-break space (another), not '"' or '\\' (which
 * _clean_display handles), and before U+0300, where the letters NFC may join or change begin
 * (no text of letters before it changes under NFC: a test checks every pair). */
static inline int name_letter(Py_UCS4 c) { return c >= 0x20 && c < 0x300 && c != 0x85 && c != 0xa0 && c != '"' && c != '\\'; }

/* Bytes b[0:n] of an encoded word in a charset of kind (charset_kind) appended to u at *k: 1,
 * or 0 when they are not UTF-8 (for kind 1: _decode_payload then guesses) or hold a letter
 * name_letter refuses. */
static int decoded_letters(const unsigned char *b, Py_ssize_t n, int kind, Py_UCS4 *u, Py_ssize_t *k) {
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = b[i];
        if (kind == 1 && c >= 0x80) { /* two-byte UTF-8 only: the longer ones are past U+0300 */
            if (c < 0xc2 || c > 0xdf || i + 1 >= n || (b[i + 1] & 0xc0) != 0x80)
                return 0;
            c = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
            i++;
        }
        if (!name_letter(c))
            return 0;
        u[(*k)++] = c;
    }
    return 1;
}

/* An encoded word "=?charset?B|Q?payload?=" at t[at:n], as _headers._ENCODED_WORD matches one
 * there: its end (past "?=") with the charset, encoding and payload, or -1 when none starts at
 * `at` (the regular expression then moves on by one character). */
static Py_ssize_t encoded_word(const char *t, Py_ssize_t n, Py_ssize_t at, Py_ssize_t *cs, Py_ssize_t *cs_end,
                               char *enc, Py_ssize_t *pay, Py_ssize_t *pay_end) {
    if (at + 1 >= n || t[at] != '=' || t[at + 1] != '?')
        return -1;
    Py_ssize_t j = at + 2;
    while (j < n && t[j] != '?' && t[j] != ' ')
        j++;
    if (j == at + 2 || j + 2 >= n || t[j] != '?' || !strchr("QqBb", t[j + 1]) || t[j + 2] != '?')
        return -1;
    Py_ssize_t k = j + 3;
    while (k < n && t[k] != '?')
        k++;
    if (k + 1 >= n || t[k + 1] != '=')
        return -1;
    *cs = at + 2;
    *cs_end = j;
    *enc = t[j + 1];
    *pay = j + 3;
    *pay_end = k;
    return k + 2;
}

/* The display name of p[0:n] (the text before '<' of ascii_plain's element: printable ASCII
 * without '"' or '(') when it holds encoded words or a "'", as _headers._clean_display makes it:
 * decode_words (the spaces between a "?=" and the next "=?" dropped, then each encoded word
 * replaced by its text), then spaces, "'" and spaces stripped at both ends, and runs of spaces
 * made one. 1 with a new reference in *name, 0 when the name needs _clean_display (see
 * charset_kind, base64_bytes, quoted_bytes, decoded_letters), -1 on error. The tests compare
 * the two on generated names and on every element of the real corpora. */
static int encoded_name(const char *p, Py_ssize_t n, PyObject **name) {
    char *t = PyMem_Malloc(2 * (size_t)n + 1); /* the text without the spaces between words, then a word's bytes */
    Py_UCS4 *u = PyMem_Malloc(sizeof(Py_UCS4) * ((size_t)n + 1));
    int result = 0;
    if (t == NULL || u == NULL) {
        PyErr_NoMemory();
        result = -1;
        goto done;
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n;) { /* _BETWEEN_WORDS: "?=" spaces "=?" made "?==?" */
        if (i + 1 < n && p[i] == '?' && p[i + 1] == '=') {
            Py_ssize_t j = i + 2;
            while (j < n && p[j] == ' ')
                j++;
            if (j > i + 2 && j + 1 < n && p[j] == '=' && p[j + 1] == '?') {
                memcpy(t + m, "?==?", 4);
                m += 4;
                i = j + 2;
                continue;
            }
        }
        t[m++] = p[i++];
    }
    unsigned char *bytes = (unsigned char *)t + n;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < m;) {
        Py_ssize_t cs, cs_end, pay, pay_end, size;
        char enc;
        Py_ssize_t end = encoded_word(t, m, i, &cs, &cs_end, &enc, &pay, &pay_end);
        if (end < 0) {
            if (!name_letter((unsigned char)t[i]))
                goto done;
            u[k++] = (unsigned char)t[i++];
            continue;
        }
        int kind = charset_kind(t + cs, cs_end - cs);
        int read = (enc == 'B' || enc == 'b') ? base64_bytes(t + pay, pay_end - pay, bytes, &size)
                                             : quoted_bytes(t + pay, pay_end - pay, bytes, &size);
        if (!kind || !read || !decoded_letters(bytes, size, kind, u, &k))
            goto done;
        i = end;
    }
    Py_ssize_t a = 0, b = k; /* strip(), strip("'"), strip(); then runs of spaces made one */
    while (a < b && u[a] == ' ')
        a++;
    while (b > a && u[b - 1] == ' ')
        b--;
    while (a < b && u[a] == '\'')
        a++;
    while (b > a && u[b - 1] == '\'')
        b--;
    Py_ssize_t w = 0;
    for (Py_ssize_t i = a; i < b; i++)
        if (u[i] != ' ' || (w > 0 && u[w - 1] != ' '))
            u[w++] = u[i];
    while (w > 0 && u[w - 1] == ' ')
        w--;
    *name = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, u, w);
    result = *name == NULL ? -1 : 1;
done:
    PyMem_Free(t);
    PyMem_Free(u);
    return result;
}

/* What _headers._plain_address gives the most common elements, read here without calling it:
 * printable ASCII, "addr" or "Name <addr>" ending at the first '>' after the '<', a key that
 * passes _plain_address's first test (one '@' not first, a '.' after it, no space, not
 * starting with '/'). Then the key is addr without the spaces around it, in lower case, and
 * the name the text before '<' with its runs of spaces made one and none at the ends ("" when
 * none is left): what _clean_display makes of such a name. A name with encoded words ("=?") or
 * a "'" is read by encoded_name, for the cases it takes. 1 with new references in *key and
 * *name, 0 when the element needs plain_address, -1 on error. A test compares the two on
 * generated elements. */
static int ascii_plain(const char *p, Py_ssize_t n, PyObject **key, PyObject **name) {
    Py_ssize_t lt = -1;
    int encoded = 0; /* the name holds an encoded word or a "'": read by encoded_name */
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c > 0x7e)
            return 0;
        if (c == '<' && lt < 0)
            lt = i;
    }
    Py_ssize_t a = 0, b = n; /* the address */
    if (lt >= 0) {
        const char *gt = memchr(p + lt, '>', (size_t)(n - lt));
        if (gt == NULL || gt != p + n - 1)
            return 0;
        a = lt + 1;
        b = n - 1;
        for (Py_ssize_t i = 0; i + 1 < lt && !encoded; i++)
            encoded = p[i] == '=' && p[i + 1] == '?';
        encoded = encoded || memchr(p, '\'', (size_t)lt) != NULL;
    }
    while (a < b && p[a] == ' ')
        a++;
    while (b > a && p[b - 1] == ' ')
        b--;
    const char *at = memchr(p + a, '@', (size_t)(b - a));
    if (at == NULL || at == p + a || memchr(at + 1, '@', (size_t)(p + b - at - 1)) != NULL ||
        memchr(p + a, ' ', (size_t)(b - a)) != NULL || memchr(at, '.', (size_t)(p + b - at)) == NULL || p[a] == '/')
        return 0;
    *key = PyUnicode_New(b - a, 127);
    if (*key == NULL)
        return -1;
    Py_UCS1 *k = PyUnicode_1BYTE_DATA(*key);
    for (Py_ssize_t i = a; i < b; i++)
        k[i - a] = (p[i] >= 'A' && p[i] <= 'Z') ? (Py_UCS1)(p[i] + ('a' - 'A')) : (Py_UCS1)p[i];
    if (encoded) {
        int read = encoded_name(p, lt, name);
        if (read <= 0)
            Py_CLEAR(*key);
        return read;
    }
    /* the name, lt bytes: its runs of spaces made one, none at the ends (counted, then written) */
    Py_ssize_t m = 0;
    for (int write = 0; write < 2; write++) {
        Py_UCS1 *out = NULL;
        if (write) {
            *name = PyUnicode_New(m, 127);
            if (*name == NULL) {
                Py_CLEAR(*key);
                return -1;
            }
            out = PyUnicode_1BYTE_DATA(*name);
        }
        Py_ssize_t j = 0;
        int space = 0;
        for (Py_ssize_t i = 0; i < lt; i++) {
            if (p[i] == ' ') {
                space = j > 0;
                continue;
            }
            if (space) {
                if (write)
                    out[j] = ' ';
                j++;
                space = 0;
            }
            if (write)
                out[j] = (Py_UCS1)p[i];
            j++;
        }
        m = j;
    }
    return 1;
}

/* The slot of one element, p[0:n] its text in UTF-8 (h: its na_hash_bytes); `element` its text as str, or NULL (it
 * is then decoded from p, if it has to be read). Returns NULL with an error set, or with none
 * when the element is not UTF-8 (the caller then reads the value as text). */
static na_element *element_of(na_ElementTable *t, const char *p, Py_ssize_t n, uint64_t h, PyObject *element,
                              PyObject *shared, PyObject *plain_address) {
    na_element *e = t->slots == NULL ? NULL : table_find(t, p, n, h);
    if (e != NULL && e->hash)
        return e;
    PyObject *key = NULL, *name = NULL; /* NULL, NULL: no address */
    int fast = ascii_plain(p, n, &key, &name);
    if (fast < 0)
        return NULL;
    if (!fast) {
        PyObject *text = element;
        if (text == NULL) {
            text = PyUnicode_DecodeUTF8(p, n, NULL);
            if (text == NULL) {
                if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
                    PyErr_Clear();
                return NULL;
            }
        } else {
            Py_INCREF(text);
        }
        PyObject *found = PyObject_CallOneArg(plain_address, text);
        Py_DECREF(text);
        if (found == NULL)
            return NULL;
        if (found != Py_None) {
            if (!PyTuple_Check(found) || PyTuple_GET_SIZE(found) != 2) {
                Py_DECREF(found);
                PyErr_SetString(PyExc_TypeError, "address_lists: plain_address must give (key, name) or None");
                return NULL;
            }
            key = PyTuple_GET_ITEM(found, 0);
            name = PyTuple_GET_ITEM(found, 1);
            Py_INCREF(key);
            Py_INCREF(name);
        }
        Py_DECREF(found);
    }
    if (key != NULL) { /* the shared key */
        PyObject *one = PyDict_SetDefault(shared, key, key); /* borrowed */
        Py_XINCREF(one);
        Py_DECREF(key);
        key = one;
        if (key == NULL) {
            Py_DECREF(name);
            return NULL;
        }
    }
    PyObject *stored = PyBytes_FromStringAndSize(p, n);
    if (stored == NULL || table_reserve(t) < 0) {
        Py_XDECREF(stored);
        Py_XDECREF(key);
        Py_XDECREF(name);
        return NULL;
    }
    e = table_find(t, p, n, h); /* (the table may have grown) */
    e->hash = h;
    e->text = stored;
    e->key = key;
    e->name = name;
    t->used++;
    return e;
}

/* A plain raw value (bytes) split at its commas: split_plain finds the commas and whether the
 * value holds a breaker ('"', '(', ':', ';') in one pass, 16 bytes at a time with SSE2, where
 * four searches for the breakers, one for each comma and one for each element had been the
 * better part of the loop's time (memchr on short values: 0.013 s of address_flat's 0.034 s
 * on the To values of the high-cardinality archive). The breakers are ASCII: the text decoded
 * from the bytes (UTF-8, or decode_bytes' cp1252 or latin-1) holds them exactly where these
 * bytes are. */
#define NA_SPLIT 64

typedef struct {
    const char *p;
    Py_ssize_t n;
    Py_ssize_t count;         /* the elements: commas + 1 */
    Py_ssize_t end[NA_SPLIT]; /* where element k ends (its comma, or n), for the first NA_SPLIT */
} na_split;

static inline void split_add(na_split *s, Py_ssize_t at) {
    if (s->count <= NA_SPLIT) /* (end[count - 1] is element count - 1's) */
        s->end[s->count - 1] = at;
    s->count++;
}

/* 1 and s filled when p[0:n] holds no breaker, else 0. */
static int split_plain(const char *p, Py_ssize_t n, na_split *s) {
    s->p = p;
    s->n = n;
    s->count = 1;
    Py_ssize_t i = 0;
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'), paren = _mm_set1_epi8('('),
                  colon = _mm_set1_epi8(':'), semi = _mm_set1_epi8(';');
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, paren)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, colon), _mm_cmpeq_epi8(x, semi)));
        if (_mm_movemask_epi8(bad))
            return 0;
        for (uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, comma)); m; m &= m - 1)
            split_add(s, i + na_ctz32(m));
    }
#endif
    for (; i < n; i++) {
        char c = p[i];
        if (is_breaker(c))
            return 0;
        if (c == ',')
            split_add(s, i);
    }
    if (s->count <= NA_SPLIT)
        s->end[s->count - 1] = n;
    return 1;
}

/* The span [lo, hi) of element k, which starts at a (0, or past element k - 1's comma), without
 * the spaces and tabs around it; returns where it ends (its comma, or n). */
static Py_ssize_t split_element(const na_split *s, Py_ssize_t k, Py_ssize_t a, Py_ssize_t *lo, Py_ssize_t *hi) {
    const char *p = s->p;
    Py_ssize_t b;
    if (k < NA_SPLIT) {
        b = s->end[k];
    } else { /* past the commas kept: looked for */
        const char *comma = memchr(p + a, ',', (size_t)(s->n - a));
        b = comma == NULL ? s->n : (Py_ssize_t)(comma - p);
    }
    *lo = a;
    *hi = b;
    while (*lo < *hi && (p[*lo] == ' ' || p[*lo] == '\t'))
        (*lo)++;
    while (*hi > *lo && (p[*hi - 1] == ' ' || p[*hi - 1] == '\t'))
        (*hi)--;
    return b;
}

/* The elements looked up ahead of the loop of read_plain (a list's first ones): their slots are
 * asked of memory together, then what the slots point to, rather than one cache miss after
 * another (a lookup was mostly waiting for the slot, then for the stored text). */
#define NA_AHEAD 32

static void prefetch_elements(const na_ElementTable *t, const na_split *s, uint64_t *hashes) {
    Py_ssize_t a = 0, lo, hi;
    for (Py_ssize_t k = 0; k < s->count && k < NA_AHEAD; k++) {
        a = split_element(s, k, a, &lo, &hi) + 1;
        hashes[k] = na_hash_bytes(s->p + lo, hi - lo);
        if (t->slots != NULL)
            na_prefetch(&t->slots[na_slot_of(hashes[k], t->bits)]);
    }
    if (t->slots == NULL)
        return;
    for (Py_ssize_t k = 0; k < s->count && k < NA_AHEAD; k++) {
        const na_element *e = &t->slots[na_slot_of(hashes[k], t->bits)];
        if (e->hash == hashes[k]) { /* (most often the element itself) */
            na_prefetch(e->text);
            na_prefetch(e->key);
            na_prefetch(e->name);
        }
    }
}

/* The elements of a plain list, as new lists keys and names: 1 when each has an address, 0
 * when one has none (the caller then reads the value whole), 2 when the value is split as bytes
 * (text NULL) and is not UTF-8, -1 on error. `text`: the value decoded, split as text; NULL:
 * the bytes of raw split where they lie. */
static int read_plain(const na_split *split, PyObject *text, na_ElementTable *elements, PyObject *shared,
                      PyObject *plain_address, PyObject **keys, PyObject **names) {
    const char *p = text == NULL ? split->p : NULL;
    Py_ssize_t n = text == NULL ? split->n : PyUnicode_GET_LENGTH(text), count = 1;
    if (text == NULL) {
        count = split->count;
    } else {
        for (Py_ssize_t a = 0;;) {
            Py_ssize_t b = PyUnicode_FindChar(text, ',', a, n, 1);
            if (b == -2)
                return -1;
            if (b < 0)
                break;
            count++;
            a = b + 1;
        }
    }
    *keys = PyList_New(count);
    *names = PyList_New(count);
    if (*keys == NULL || *names == NULL)
        goto fail;
    uint64_t hashes[NA_AHEAD];
    if (text == NULL)
        prefetch_elements(elements, split, hashes);
    Py_ssize_t a = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        /* without the spaces and tabs around it (plain_address gives the same either way) */
        Py_ssize_t b, lo, hi;
        if (text == NULL) {
            b = split_element(split, k, a, &lo, &hi);
        } else {
            b = PyUnicode_FindChar(text, ',', a, n, 1);
            if (b == -2)
                goto fail;
            if (b < 0)
                b = n;
            lo = a;
            hi = b;
            int kind = PyUnicode_KIND(text);
            const void *data = PyUnicode_DATA(text);
            while (lo < hi && (PyUnicode_READ(kind, data, lo) == ' ' || PyUnicode_READ(kind, data, lo) == '\t'))
                lo++;
            while (hi > lo && (PyUnicode_READ(kind, data, hi - 1) == ' ' || PyUnicode_READ(kind, data, hi - 1) == '\t'))
                hi--;
        }
        na_element *e;
        if (text == NULL) {
            uint64_t h = k < NA_AHEAD ? hashes[k] : na_hash_bytes(p + lo, hi - lo);
            e = element_of(elements, p + lo, hi - lo, h, NULL, shared, plain_address);
            if (e == NULL && !PyErr_Occurred()) { /* not UTF-8 */
                Py_CLEAR(*keys);
                Py_CLEAR(*names);
                return 2;
            }
        } else {
            PyObject *element = PyUnicode_Substring(text, lo, hi);
            if (element == NULL)
                goto fail;
            Py_ssize_t size;
            const char *utf8 = PyUnicode_AsUTF8AndSize(element, &size); /* kept by element */
            e = utf8 == NULL ? NULL : element_of(elements, utf8, size, na_hash_bytes(utf8, size), element, shared, plain_address);
            Py_DECREF(element);
        }
        if (e == NULL)
            goto fail;
        if (e->key == NULL) { /* no address: the value is read whole */
            Py_CLEAR(*keys);
            Py_CLEAR(*names);
            return 0;
        }
        Py_INCREF(e->key);
        Py_INCREF(e->name);
        PyList_SET_ITEM(*keys, k, e->key);
        PyList_SET_ITEM(*names, k, e->name);
        a = b + 1;
    }
    return 1;
fail:
    Py_CLEAR(*keys);
    Py_CLEAR(*names);
    return -1;
}

/* (keys, names) of a value that is not plain: parse_addresses(raw), checked. New references. */
static int read_whole(PyObject *raw, PyObject *parse_addresses, PyObject **keys, PyObject **names) {
    PyObject *r = PyObject_CallOneArg(parse_addresses, raw);
    if (r == NULL)
        return -1;
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2 || !PyList_Check(PyTuple_GET_ITEM(r, 0)) ||
        !PyList_Check(PyTuple_GET_ITEM(r, 1))) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_TypeError, "address_lists: parse_addresses must give (keys, names) lists");
        return -1;
    }
    *keys = PyTuple_GET_ITEM(r, 0);
    *names = PyTuple_GET_ITEM(r, 1);
    Py_INCREF(*keys);
    Py_INCREF(*names);
    Py_DECREF(r);
    return 0;
}

/* The cached pair of one raw value not in the cache (see the top of this file). */
static PyObject *parse_one(PyObject *raw, na_ElementTable *elements, PyObject *shared, PyObject *plain_address,
                           PyObject *parse_addresses, PyObject *decode_bytes, PyObject *empty) {
    PyObject *keys = NULL, *names = NULL, *out = NULL;
    na_split split;
    int plain = split_plain(PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw), &split);
    if (plain == 1)
        plain = read_plain(&split, NULL, elements, shared, plain_address, &keys, &names);
    if (plain == 2) { /* not UTF-8: decoded by decode_bytes, split as text */
        PyObject *text = PyObject_CallOneArg(decode_bytes, raw);
        if (text == NULL)
            return NULL;
        if (!PyUnicode_Check(text)) {
            Py_DECREF(text);
            PyErr_SetString(PyExc_TypeError, "address_lists: decode_bytes must give a str");
            return NULL;
        }
        plain = is_plain(text);
        if (plain == 1)
            plain = read_plain(NULL, text, elements, shared, plain_address, &keys, &names);
        Py_DECREF(text);
    }
    if (plain < 0)
        return NULL;
    if (plain == 0) { /* read whole: its keys made shared here (read_plain's already are) */
        if (read_whole(raw, parse_addresses, &keys, &names) < 0)
            return NULL;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(keys); k++) {
            PyObject *key = PyList_GET_ITEM(keys, k);
            PyObject *one = PyDict_SetDefault(shared, key, key); /* borrowed */
            if (one == NULL)
                goto done;
            Py_INCREF(one);
            PyList_SetItem(keys, k, one); /* steals one, drops key */
        }
    }
    int named = 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names) && !named; k++) {
        PyObject *name = PyList_GET_ITEM(names, k);
        named = !(PyUnicode_Check(name) && PyUnicode_GET_LENGTH(name) == 0);
    }
    out = PyTuple_Pack(2, keys, named ? names : empty);
done:
    Py_DECREF(keys);
    Py_DECREF(names);
    return out;
}

PyObject *na_address_lists(PyObject *self, PyObject *args) {
    PyObject *raws, *cache, *elements, *shared, *plain_address, *parse_addresses, *decode_bytes, *empty;
    if (!PyArg_ParseTuple(args, "O!O!O!O!OOOO!", &PyList_Type, &raws, &PyDict_Type, &cache, &na_ElementTableType, &elements,
                          &PyDict_Type, &shared, &plain_address, &parse_addresses, &decode_bytes, &PyList_Type,
                          &empty))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(raws);
    PyObject *out = PyList_New(n), *no_address = PyTuple_Pack(2, empty, empty);
    if (out == NULL || no_address == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *raw = PyList_GET_ITEM(raws, i), *pair;
        if (raw == Py_None || (PyBytes_Check(raw) && PyBytes_GET_SIZE(raw) == 0)) {
            pair = no_address;
            Py_INCREF(pair);
        } else if (!PyBytes_Check(raw)) {
            PyErr_Format(PyExc_TypeError, "address_lists: value %zd is a %.50s, not bytes", i, Py_TYPE(raw)->tp_name);
            goto fail;
        } else if ((pair = PyDict_GetItemWithError(cache, raw)) != NULL) {
            Py_INCREF(pair);
        } else {
            if (PyErr_Occurred())
                goto fail;
            pair = parse_one(raw, (na_ElementTable *)elements, shared, plain_address, parse_addresses, decode_bytes, empty);
            if (pair == NULL)
                goto fail;
            if (PyDict_SetItem(cache, raw, pair) < 0) {
                Py_DECREF(pair);
                goto fail;
            }
        }
        PyList_SET_ITEM(out, i, pair);
    }
    Py_DECREF(no_address);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(no_address);
    return NULL;
}

/* address_flat: the (keys, names) lists of address_lists for each of many raw values, made
 * straight into a FlatTable's codes, with no list per value.
 *
 * address_flat(raws, cache, elements, shared, plain_address, parse_addresses, decode_bytes,
 * empty, table) -> (key codes, key offsets, name codes, name offsets): bytearrays of int32 codes
 * into `table` and of len(raws) + 1 int64 offsets, value i's keys being
 * key_codes[key_offsets[i]:key_offsets[i + 1]] (and its names likewise): the lists that
 * address_lists(raws, ...) returns, coded as table.flat codes them (the same strings are added
 * to the table, in another order). Only what address_lists would store in `cache` is
 * stored there: a plain list of UTF-8 elements, each with an address, is read from the element
 * table, whose entries keep the codes of their key and name in the table they were last coded
 * for (its generation); other values are read by address_lists's own route (parse_one) and
 * kept in `cache`. A value is tried as a plain list before it is looked up in `cache`: the
 * lookup hashes the whole raw value (SipHash, about 200 bytes for a To value of five people) and
 * misses for nearly every plain one; first, address_flat took 0.044-0.050 s per half of the
 * high-cardinality archive, second 0.028-0.033 s.
 */

static int is_empty_text(PyObject *s) { return PyUnicode_Check(s) && PyUnicode_GET_LENGTH(s) == 0; }

/* The codes of an element's key and name in `table` (the element's own, or made now); an
 * empty name gets -1 (it is coded only in a list that has names: see flat_plain). */
static int element_codes(na_element *e, PyObject *table, uint64_t generation, int32_t *key, int32_t *name) {
    if (e->generation != generation) {
        int32_t k = na_flat_code(table, e->key);
        int32_t m = k < 0 || is_empty_text(e->name) ? -1 : na_flat_code(table, e->name);
        if (k < 0 || (m < 0 && PyErr_Occurred()))
            return -1;
        e->generation = generation;
        e->key_code = k;
        e->name_code = m;
    }
    *key = e->key_code;
    *name = e->name_code;
    return 0;
}

/* The codes of a plain list of UTF-8 elements, each with an address, appended to keys and names
 * (the names only when one is not ""): 1; 0 when the value is not such a list (nothing
 * appended); -1 on error. The strings added to the table are those table.flat adds for the
 * list's keys and names (its names: none when all are ""). */
static int flat_plain(PyObject *raw, na_ElementTable *elements, PyObject *shared, PyObject *plain_address,
                      PyObject *table, uint64_t generation, na_buffer *keys, na_buffer *names) {
    na_split split;
    const char *p = PyBytes_AS_STRING(raw);
    if (!split_plain(p, PyBytes_GET_SIZE(raw), &split))
        return 0;
    Py_ssize_t count = split.count, key_start = keys->n, name_start = names->n;
    if (na_buffer_reserve(keys, count * 4) < 0 || na_buffer_reserve(names, count * 4) < 0)
        return -1;
    uint64_t hashes[NA_AHEAD];
    prefetch_elements(elements, &split, hashes);
    PyObject *empty_name = NULL; /* an element's "" name (borrowed: the element table holds it) */
    int named = 0;
    Py_ssize_t a = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t lo, hi, b = split_element(&split, k, a, &lo, &hi);
        uint64_t h = k < NA_AHEAD ? hashes[k] : na_hash_bytes(p + lo, hi - lo);
        /* (element_of may run Python code, and grow the table: e is used before the next call) */
        na_element *e = element_of(elements, p + lo, hi - lo, h, NULL, shared, plain_address);
        if (e == NULL && PyErr_Occurred())
            return -1;
        if (e == NULL || e->key == NULL) { /* not UTF-8, or an element without an address */
            keys->n = key_start;
            names->n = name_start;
            return 0;
        }
        int32_t key, name;
        if (element_codes(e, table, generation, &key, &name) < 0)
            return -1;
        if (name < 0)
            empty_name = e->name;
        named |= name >= 0;
        memcpy(keys->data + keys->n, &key, 4);
        memcpy(names->data + names->n, &name, 4);
        keys->n += 4;
        names->n += 4;
        a = b + 1;
    }
    if (!named) {
        names->n = name_start;
    } else if (empty_name != NULL) { /* a list with names: its "" names coded too */
        int32_t code = na_flat_code(table, empty_name);
        if (code < 0)
            return -1;
        for (Py_ssize_t at = name_start; at < names->n; at += 4) {
            int32_t c;
            memcpy(&c, names->data + at, 4);
            if (c < 0)
                memcpy(names->data + at, &code, 4);
        }
    }
    return 1;
}

/* The codes of the elements of a list of strings, appended to out. */
static int flat_list(PyObject *list, PyObject *table, na_buffer *out) {
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(list); k++) {
        int32_t c = na_flat_code(table, PyList_GET_ITEM(list, k));
        if (c < 0 || na_buffer_add_int32(out, c) < 0)
            return -1;
    }
    return 0;
}

PyObject *na_address_flat(PyObject *self, PyObject *args) {
    PyObject *raws, *cache, *elements, *shared, *plain_address, *parse_addresses, *decode_bytes, *empty, *table;
    if (!PyArg_ParseTuple(args, "O!O!O!O!OOOO!O!", &PyList_Type, &raws, &PyDict_Type, &cache, &na_ElementTableType,
                          &elements, &PyDict_Type, &shared, &plain_address, &parse_addresses, &decode_bytes,
                          &PyList_Type, &empty, &na_FlatTableType, &table))
        return NULL;
    uint64_t generation = na_flat_generation(table);
    Py_ssize_t n = PyList_GET_SIZE(raws);
    na_buffer keys = {0}, key_offsets = {0}, names = {0}, name_offsets = {0};
    if (na_buffer_add_int64(&key_offsets, 0) < 0 || na_buffer_add_int64(&name_offsets, 0) < 0)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *raw = PyList_GET_ITEM(raws, i);
        if (raw != Py_None && !(PyBytes_Check(raw) && PyBytes_GET_SIZE(raw) == 0)) {
            if (!PyBytes_Check(raw)) {
                PyErr_Format(PyExc_TypeError, "address_flat: value %zd is a %.50s, not bytes", i, Py_TYPE(raw)->tp_name);
                goto fail;
            }
            /* a plain list first, from the element table (a value there is never in cache, but
             * for one address_lists stored, whose lists are the same); else the cached pair */
            int done = flat_plain(raw, (na_ElementTable *)elements, shared, plain_address, table, generation, &keys, &names);
            if (done < 0)
                goto fail;
            if (!done) { /* address_lists's route: the pair made and kept in cache */
                PyObject *pair = PyDict_GetItemWithError(cache, raw); /* borrowed */
                if (pair == NULL && PyErr_Occurred())
                    goto fail;
                if (pair == NULL) {
                    pair = parse_one(raw, (na_ElementTable *)elements, shared, plain_address, parse_addresses, decode_bytes, empty);
                    if (pair == NULL)
                        goto fail;
                    int failed = PyDict_SetItem(cache, raw, pair);
                    Py_DECREF(pair); /* (cache holds it) */
                    if (failed < 0)
                        goto fail;
                }
                if (flat_list(PyTuple_GET_ITEM(pair, 0), table, &keys) < 0 ||
                    flat_list(PyTuple_GET_ITEM(pair, 1), table, &names) < 0)
                    goto fail;
            }
        }
        if (na_buffer_add_int64(&key_offsets, keys.n / 4) < 0 || na_buffer_add_int64(&name_offsets, names.n / 4) < 0)
            goto fail;
    }
    return Py_BuildValue("(NNNN)", na_buffer_take(&keys), na_buffer_take(&key_offsets), na_buffer_take(&names),
                         na_buffer_take(&name_offsets));
fail:
    PyMem_Free(keys.data);
    PyMem_Free(key_offsets.data);
    PyMem_Free(names.data);
    PyMem_Free(name_offsets.data);
    return NULL;
}
