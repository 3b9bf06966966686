/* scan: the message starts, From_ lines and header blocks of a stretch of an mbox.
 *
 * The same result as netanalytics.io._mbox._scan (see its docstring for the rules), found by
 * searching the mapping at memory speed: byte pairs ("\nF" for a From_ line; "\n\n" or "\n\r"
 * for a header's end, LF and CRLF mail alike) 16 at a time with SSE2 where the machine has it,
 * then the rest of the needle. Whether a "From " line is dated is _mbox.FROM_LINE's rule,
 * written out below (dated_from_line; a test compares the two on generated lines).
 */
#include "speedups.h"
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* First i in [lo, hi - 1) with s[i] == a and s[i + 1] == b, or -1. */
static Py_ssize_t find_pair(const unsigned char *s, Py_ssize_t lo, Py_ssize_t hi, unsigned char a,
                            unsigned char b) {
    Py_ssize_t i = lo;
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
    for (; i + 17 <= hi; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i y = _mm_loadu_si128((const __m128i *)(s + i + 1));
        int m = _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(y, vb)));
        if (m)
            return i + na_ctz32((uint32_t)m);
    }
#endif
    while (i + 1 < hi) {
        const unsigned char *q = memchr(s + i, a, (size_t)(hi - 1 - i));
        if (q == NULL)
            return -1;
        i = q - s;
        if (s[i + 1] == b)
            return i;
        i++;
    }
    return -1;
}

/* First "\nFrom " lying whole in [lo, hi), or -1. */
static Py_ssize_t find_from(const unsigned char *s, Py_ssize_t lo, Py_ssize_t hi) {
    while ((lo = find_pair(s, lo, hi - 4, '\n', 'F')) >= 0) {
        if (memcmp(s + lo + 2, "rom ", 4) == 0)
            return lo;
        lo++;
    }
    return -1;
}

/* First i in [lo, hi - 1) with s[i] == '\n' and s[i + 1] either '\n' or '\r', or -1. */
static Py_ssize_t find_line_starting_cr_or_empty(const unsigned char *s, Py_ssize_t lo, Py_ssize_t hi) {
    Py_ssize_t i = lo;
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; i + 17 <= hi; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i y = _mm_loadu_si128((const __m128i *)(s + i + 1));
        __m128i next = _mm_or_si128(_mm_cmpeq_epi8(y, nl), _mm_cmpeq_epi8(y, cr));
        int m = _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(x, nl), next));
        if (m)
            return i + na_ctz32((uint32_t)m);
    }
#endif
    while (i + 1 < hi) {
        const unsigned char *q = memchr(s + i, '\n', (size_t)(hi - 1 - i));
        if (q == NULL)
            return -1;
        i = q - s;
        if (s[i + 1] == '\n' || s[i + 1] == '\r')
            return i;
        i++;
    }
    return -1;
}

/* Where the header lines after the newline nl stop, and whether at an odd place: the rule of
 * _mbox._header_end. A header line is a complete line that starts with neither "\n" nor
 * "\r\n" (a line starting with a lone "\r" is one); the header stops at the first line start
 * that is no header line, at end when the range ends with a newline, else (oddly) at the start
 * of the partial last line. */
static Py_ssize_t header_end(const unsigned char *s, Py_ssize_t nl, Py_ssize_t end, int *odd) {
    Py_ssize_t q = nl;
    *odd = 0;
    while ((q = find_line_starting_cr_or_empty(s, q, end)) >= 0) {
        if (s[q + 1] == '\n' || (q + 2 < end && s[q + 2] == '\n'))
            return q + 1;
        q++;
    }
    if (s[end - 1] == '\n')
        return end;
    q = end - 1;
    while (s[q] != '\n') /* s[nl] is one */
        q--;
    *odd = 1;
    return q + 1;
}

/* _mbox.FROM_LINE, a bytes pattern matched at s[i] within s[..end):
 *   From \S*[ \t]+(?:[A-Z][a-z]{2},?[ \t]+)?[A-Z][a-z]{2}[ \t]+\d{1,2}[ \t]+\d{1,2}:\d\d(?::\d\d)?
 *   [ \t]+(?:(?:[+-]\d{4}|[A-Z]{2,5})[ \t]+)?\d{4}
 * Each repetition is followed by something it cannot match, so taking all it can is the only
 * way on; only the two optional groups (weekday, zone) are tried with and without. */
static int is_blank(unsigned char c) { return c == ' ' || c == '\t'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Past [ \t]+ at i, or -1. */
static Py_ssize_t blanks(const unsigned char *s, Py_ssize_t i, Py_ssize_t end) {
    if (i >= end || !is_blank(s[i]))
        return -1;
    while (i < end && is_blank(s[i]))
        i++;
    return i;
}

/* Past [A-Z][a-z]{2} at i, or -1. */
static Py_ssize_t capitalised(const unsigned char *s, Py_ssize_t i, Py_ssize_t end) {
    return i + 3 <= end && is_upper(s[i]) && is_lower(s[i + 1]) && is_lower(s[i + 2]) ? i + 3 : -1;
}

/* Past \d{1,2} at i (two digits when there are), or -1. */
static Py_ssize_t one_or_two_digits(const unsigned char *s, Py_ssize_t i, Py_ssize_t end) {
    if (i >= end || !is_digit(s[i]))
        return -1;
    return i + 1 < end && is_digit(s[i + 1]) ? i + 2 : i + 1;
}

static int four_digits(const unsigned char *s, Py_ssize_t i, Py_ssize_t end) {
    return i + 4 <= end && is_digit(s[i]) && is_digit(s[i + 1]) && is_digit(s[i + 2]) && is_digit(s[i + 3]);
}

/* The pattern from the month on, at i. */
static int dated_from_month(const unsigned char *s, Py_ssize_t i, Py_ssize_t end) {
    if ((i = capitalised(s, i, end)) < 0 || (i = blanks(s, i, end)) < 0 || (i = one_or_two_digits(s, i, end)) < 0 ||
        (i = blanks(s, i, end)) < 0 || (i = one_or_two_digits(s, i, end)) < 0)
        return 0;
    if (!(i + 3 <= end && s[i] == ':' && is_digit(s[i + 1]) && is_digit(s[i + 2])))
        return 0;
    i += 3;
    if (i + 3 <= end && s[i] == ':' && is_digit(s[i + 1]) && is_digit(s[i + 2]))
        i += 3;
    if ((i = blanks(s, i, end)) < 0)
        return 0;
    Py_ssize_t z = -1; /* past the zone and its blanks */
    if (i < end && (s[i] == '+' || s[i] == '-') && four_digits(s, i + 1, end)) {
        z = blanks(s, i + 5, end);
    } else if (i < end && is_upper(s[i])) {
        Py_ssize_t k = i;
        while (k < end && k - i < 5 && is_upper(s[k]))
            k++;
        if (k - i >= 2)
            z = blanks(s, k, end);
    }
    return (z >= 0 && four_digits(s, z, end)) || four_digits(s, i, end);
}

/* Whether _mbox.FROM_LINE.match(s, i, end) matches. */
static int dated_from_line(const unsigned char *s, Py_ssize_t i, Py_ssize_t end) {
    if (i + 5 > end || memcmp(s + i, "From ", 5) != 0)
        return 0;
    i += 5;
    while (i < end && !(is_blank(s[i]) || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v'))
        i++; /* \S* */
    if ((i = blanks(s, i, end)) < 0)
        return 0;
    Py_ssize_t day = capitalised(s, i, end); /* the weekday, when there is one */
    if (day >= 0) {
        if (day < end && s[day] == ',')
            day++;
        day = blanks(s, day, end);
        if (day >= 0 && dated_from_month(s, day, end))
            return 1;
    }
    return dated_from_month(s, i, end);
}

PyObject *na_dated_from_line(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t pos, end;
    if (!PyArg_ParseTuple(args, "y*nn", &view, &pos, &end))
        return NULL;
    if (pos < 0 || end > view.len || pos > end) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "dated_from_line: [%zd, %zd) outside the buffer of %zd bytes", pos, end, view.len);
        return NULL;
    }
    int dated = dated_from_line((const unsigned char *)view.buf, pos, end);
    PyBuffer_Release(&view);
    return PyBool_FromLong(dated);
}

static int append_new(PyObject *list, PyObject *item) {
    if (item == NULL)
        return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

PyObject *na_scan(PyObject *self, PyObject *args) {
    PyObject *buffer;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "Onn", &buffer, &start, &end))
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(buffer, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    const unsigned char *s = view.buf;
    Py_ssize_t size = view.len;
    if (start < 0 || end > size || start > end) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "scan: range [%zd, %zd) outside the buffer of %zd bytes", start,
                     end, size);
        return NULL;
    }
    PyObject *blocks = PyList_New(0), *from_lines = PyList_New(0), *starts = PyList_New(0),
             *odd = PyList_New(0), *empty = PyBytes_FromStringAndSize(NULL, 0);
    if (!blocks || !from_lines || !starts || !odd || !empty)
        goto fail;
    Py_ssize_t cur = start;
    Py_ssize_t i;
    while ((i = find_from(s, cur, end)) >= 0) {
        cur = i + 1;
        /* a blank line before it ("\n" or "\r\n"); Python's mm[i - 1] reads the last byte at i == 0 */
        unsigned char prev = i >= 1 ? s[i - 1] : s[size - 1];
        if (prev != '\n' && !(prev == '\r' && i >= 2 && s[i - 2] == '\n'))
            continue;
        if (!dated_from_line(s, i + 1, end))
            continue;
        if (append_new(starts, PyLong_FromSsize_t(i)) < 0)
            goto fail;
        const unsigned char *q = memchr(s + i + 1, '\n', (size_t)(end - i - 1));
        if (q == NULL) { /* the From_ line runs to the end */
            if (append_new(from_lines, PyBytes_FromStringAndSize((const char *)s + i + 1, end - i - 1)) < 0 ||
                PyList_Append(blocks, Py_None) < 0 || PyList_Append(odd, Py_None) < 0)
                goto fail;
            break;
        }
        Py_ssize_t nl = q - s;
        if (append_new(from_lines, PyBytes_FromStringAndSize((const char *)s + i + 1, nl - i - 1)) < 0)
            goto fail;
        int stop_is_odd;
        cur = header_end(s, nl, end, &stop_is_odd);
        if (append_new(blocks, PyBytes_FromStringAndSize((const char *)s + nl, cur - nl)) < 0 ||
            PyList_Append(odd, stop_is_odd ? empty : Py_None) < 0)
            goto fail;
    }
    PyBuffer_Release(&view);
    Py_DECREF(empty);
    return Py_BuildValue("(NNNN)", blocks, from_lines, starts, odd);
fail:
    PyBuffer_Release(&view);
    Py_XDECREF(blocks);
    Py_XDECREF(from_lines);
    Py_XDECREF(starts);
    Py_XDECREF(odd);
    Py_XDECREF(empty);
    return NULL;
}
