# Sourced by scripts/install-deps and scripts/go-toolchains: the one place
# that finds the machine's own Debian mirror, so that the suites they add
# (bookworm-backports; trixie, trixie-backports and forky for the newer Go
# toolchains) come from the same mirror and no host name is written down.

# The keyring that verifies them: bookworm's debian-archive-keyring holds
# the 12/bookworm and 13/trixie archive keys, and trixie, trixie-backports
# and forky are signed with both.
debian_keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# debian_mirror_uri [CODENAME]: prints the URI of the machine's Debian source
# for CODENAME (default bookworm), the stanza or line naming the plain suite
# (not -security); returns 1 when there is none.
debian_mirror_uri() {
	local codename=${1:-bookworm} uri="" f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822: take the URI of the stanza whose Suites name plain CODENAME.
		uri=$(awk -v c="$codename" 'BEGIN{RS=""; FS="\n"}
			$0 ~ ("Suites:[^\n]*[: \t]" c "([ \t\n]|$)") && !/security/ {
				for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, " "); print u[1]; exit }
			}' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		# One-line format, options in brackets allowed: deb [signed-by=...] URI SUITE ...
		uri=$(awk -v c="$codename" '{
				line = $0; sub(/\[[^]]*\]/, "", line); n = split(line, w, " ")
				if (w[1] == "deb" && w[3] == c) { print w[2]; exit }
			}' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || return 1
	printf '%s\n' "$uri"
}
