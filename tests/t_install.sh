#!/bin/sh
# t_install.sh - install into a scratch DESTDIR, then build doc/lookup-example.c
# the way a developer would, with pkg-config, and run it against the
# installed sample directory; also check the installed man pages and tool.
. "$top_srcdir/tests/lib.sh"
command -v pkg-config >/dev/null 2>&1 || skip_all "pkg-config not installed"
tmp=$(scratch)
trap 'rm -rf "$tmp"' EXIT
make -C "$top_builddir" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1
check "make install into a DESTDIR" [ $? -eq 0 ]
prefix=$(sed -n 's/^prefix=//p' "$top_builddir/src/lib/pocdir.pc")
libdir=$(sed -n 's/^libdir=//p' "$top_builddir/src/lib/pocdir.pc" | sed "s|\${exec_prefix}|$prefix|")
root="$tmp/root"
check "pocdir.h installed" [ -f "$root$prefix/include/pocdir.h" ]
check "pocdir.pc installed" [ -f "$root$libdir/pkgconfig/pocdir.pc" ]
check "versioned shared library installed" [ -f "$root$libdir/libpocdir.so.2" ]
check "static library installed" [ -f "$root$libdir/libpocdir.a" ]
check "sample directory installed" [ -f "$root$prefix/share/pocdir/directory/origins/kr.yaml" ]
for page in man1/pocdir.1 man3/libpocdir.3 man5/pocdir-directory.5; do
	check "man page $page installed" [ -f "$root$prefix/share/man/$page" ]
done
export PKG_CONFIG_PATH="$root$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
flags=$(pkg-config --cflags --libs pocdir)
check "pkg-config --cflags --libs pocdir: $flags" [ -n "$flags" ]
# A library built with --enable-sanitizers needs its programs built so too
# (the ASan runtime must come first).
san=""
if ldd "$root$libdir/libpocdir.so.2" 2>/dev/null | grep -q libasan; then
	san="-fsanitize=address,undefined"
fi
# shellcheck disable=SC2086
${CC:-cc} -Wall -Wextra -Werror $san -o "$tmp/example" "$top_srcdir/doc/lookup-example.c" $flags
check "the example builds against the installed library" [ -x "$tmp/example" ]
out=$(LD_LIBRARY_PATH="$root$libdir" "$tmp/example" "$root$prefix/share/pocdir/directory" KR)
check "the example finds KR technical contacts" sh -c "echo '$out' | grep -q '^uid=krcert,c=KR,dc=pocdir'"
LD_LIBRARY_PATH="$root$libdir" "$tmp/example" "$root$prefix/share/pocdir/directory" ZZ >/dev/null
check "the example exits 1 when nothing is found" [ $? -eq 1 ]
out=$(LD_LIBRARY_PATH="$root$libdir" "$root$prefix/bin/pocdir" -d "$root$prefix/share/pocdir/directory" lookup --country JP --role technical --format csv)
check "the installed tool answers" sh -c "echo '$out' | grep -q jpcert"
tap_end
