# fuzz/lib.sh: building the harnesses, shared by fuzz/run and fuzz/regress (sourced, not run)

FUZZ_SRC=${FUZZ_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
FUZZ_HARNESSES="packet pcap rules site baseline tls"
FUZZ_NICE=${FUZZ_NICE:-10}

fuzz_version() {
	sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$FUZZ_SRC/configure.ac"
}

# The project's compile flags (configure.ac: libpcap, yaml-0.1, nettle) and the defines the build sets.
fuzz_cppflags() {
	echo "-std=gnu11 -I$FUZZ_SRC/src -I$FUZZ_SRC/fuzz $(pkg-config --cflags libpcap yaml-0.1 nettle zlib)" \
		"-DFLOWAUDIT_SRCDIR=\"$FUZZ_SRC\" -DFUZZ_SRCDIR=\"$FUZZ_SRC\"" \
		"-DPACKAGE_VERSION=\"$(fuzz_version)\""
}

fuzz_libs() {
	pkg-config --libs libpcap yaml-0.1 nettle zlib
}

# Newest mtime among the headers: a changed header rebuilds every object.
fuzz_newest_header() {
	# shellcheck disable=SC2012
	ls -t "$FUZZ_SRC"/src/*.h "$FUZZ_SRC"/fuzz/*.h | head -n 1
}

# fuzz_compile CC CFLAGS OUT SRC: compile when OUT is older than SRC or any header (-nt: dash and bash have it).
fuzz_compile() {
	# shellcheck disable=SC3013
	if [ -f "$3" ] && [ "$3" -nt "$4" ] && [ "$3" -nt "$(fuzz_newest_header)" ]; then
		return 0
	fi
	# shellcheck disable=SC2046,SC2086
	nice -n "$FUZZ_NICE" $1 $2 $(fuzz_cppflags) -c -o "$3" "$4"
}

# fuzz_build_objects CC CFLAGS OBJDIR: every src/*.c but main.c, and fuzz_util.c; prints the object list.
# Other flags than last time in OBJDIR rebuild everything.
fuzz_build_objects() {
	mkdir -p "$3" || return 1
	if [ "$(cat "$3/flags" 2>/dev/null)" != "$1 $2 $(fuzz_cppflags)" ]; then
		rm -f "$3"/*.o
		echo "$1 $2 $(fuzz_cppflags)" >"$3/flags"
	fi
	for src in "$FUZZ_SRC"/src/*.c "$FUZZ_SRC/fuzz/fuzz_util.c"; do
		[ "$(basename "$src")" = main.c ] && continue
		obj="$3/$(basename "$src" .c).o"
		fuzz_compile "$1" "$2" "$obj" "$src" >&2 || return 1
		echo "$obj"
	done
}

# fuzz_harness_name NAME: "packet", "fuzz_packet" and "fuzz/fuzz_packet.c" all mean fuzz_packet.
fuzz_harness_name() {
	n=$(basename "$1" .c)
	n=${n#fuzz_}
	case " $FUZZ_HARNESSES " in
	*" $n "*) echo "fuzz_$n" ;;
	*) return 1 ;;
	esac
}
