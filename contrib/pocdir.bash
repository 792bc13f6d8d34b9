# pocdir.bash - bash completion for pocdir(1): commands, each command's
# options, formats, roles and the country codes of the directory. It asks
# pocdir itself (--help and its messages), so it follows the installed
# version. Install as /usr/share/bash-completion/completions/pocdir, or
# source it from ~/.bashrc.

_pocdir_commands() {
	pocdir --help 2>/dev/null | awk '/^Commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }'
}

# The roles pocdir knows, from the message it gives for an unknown one.
_pocdir_roles() {
	pocdir lookup --role _ 2>&1 | sed -n 's/.*expected \(.*\), or an extension word.*/\1/p' |
		sed 's/ or /, /g; s/,/ /g'
}

_pocdir() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd="" i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-d | --directory | --format | --base | --at | --state) ((i++)) ;;
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done
	case $prev in
	--format)
		COMPREPLY=($(compgen -W "table json ldif vcard vcard3 csv" -- "$cur"))
		return
		;;
	--role)
		COMPREPLY=($(compgen -W "$(_pocdir_roles)" -- "$cur"))
		return
		;;
	--country)
		COMPREPLY=($(compgen -W "$(pocdir --local lookup --all --format csv --attrs c 2>/dev/null |
			awk -F, 'NR > 1 { print $2 }' | sort -u)" -- "${cur^^}"))
		return
		;;
	-d | --directory | --state | --key | --pubkey | --sig | --config | --out)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(pocdir --help 2>/dev/null | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_pocdir_commands) help" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(pocdir "$cmd" --help 2>/dev/null | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u)" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _pocdir pocdir
