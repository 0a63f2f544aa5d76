package dev.scopesync.signing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One DER element, read without copying: just enough ASN.1 to take PKCS#1, SEC1 and PKCS#8
 * private keys apart (single-byte tags, definite lengths). Malformed input makes
 * {@link IllegalArgumentException} with a message that quotes none of the bytes.
 *
 * <p>Immutable; safe for use by any number of threads (the array it views must not change).
 */
record Der(byte[] source, int tag, int contentStart, int end) {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** {@code [0]} EXPLICIT, as SEC1's parameters use it. */
    static final int CONTEXT_0 = 0xa0;

    /** The single element that makes up all of {@code der}. */
    static Der parseWhole(byte[] der) {
        Der element = read(der, 0);
        if (element.end != der.length) {
            throw new IllegalArgumentException("trailing bytes after the DER structure");
        }
        return element;
    }

    static Der read(byte[] der, int offset) {
        if (offset + 2 > der.length) {
            throw new IllegalArgumentException("truncated DER");
        }
        int tag = der[offset] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("multi-byte DER tags are not expected here");
        }
        int first = der[offset + 1] & 0xff;
        int contentStart = offset + 2;
        long length;
        if (first < 0x80) {
            length = first;
        } else {
            int count = first & 0x7f;
            if (count == 0 || count > 4 || contentStart + count > der.length) {
                throw new IllegalArgumentException("bad DER length");
            }
            length = 0;
            for (int i = 0; i < count; i++) {
                length = length << 8 | (der[contentStart + i] & 0xff);
            }
            contentStart += count;
        }
        if (contentStart + length > der.length) {
            throw new IllegalArgumentException("truncated DER");
        }
        return new Der(der, tag, contentStart, (int) (contentStart + length));
    }

    Der expect(int expectedTag) {
        if (tag != expectedTag) {
            throw new IllegalArgumentException("unexpected DER tag");
        }
        return this;
    }

    /** The elements inside this constructed element, in order. */
    List<Der> children() {
        List<Der> children = new ArrayList<>();
        int at = contentStart;
        while (at < end) {
            Der child = read(source, at);
            if (child.end > end) {
                throw new IllegalArgumentException("DER element overruns its parent");
            }
            children.add(child);
            at = child.end;
        }
        return children;
    }

    byte[] content() {
        return Arrays.copyOfRange(source, contentStart, end);
    }

    BigInteger integer() {
        expect(INTEGER);
        if (end == contentStart) {
            throw new IllegalArgumentException("empty DER integer");
        }
        return new BigInteger(content());
    }

    /** An OBJECT IDENTIFIER in dotted form, e.g. {@code 1.2.840.10045.3.1.7}. */
    String oid() {
        expect(OID);
        if (end == contentStart) {
            throw new IllegalArgumentException("empty OID");
        }
        StringBuilder dotted = new StringBuilder();
        long arc = 0;
        boolean first = true;
        for (int i = contentStart; i < end; i++) {
            int b = source[i] & 0xff;
            if (arc > (Long.MAX_VALUE >> 7)) {
                throw new IllegalArgumentException("OID arc too large");
            }
            arc = arc << 7 | (b & 0x7f);
            if ((b & 0x80) != 0) {
                if (i == end - 1) {
                    throw new IllegalArgumentException("truncated OID");
                }
                continue;
            }
            if (first) {
                // The first byte(s) hold the first two arcs as 40 * a + b.
                long top = Math.min(arc / 40, 2);
                dotted.append(top).append('.').append(arc - 40 * top);
                first = false;
            } else {
                dotted.append('.').append(arc);
            }
            arc = 0;
        }
        return dotted.toString();
    }
}
