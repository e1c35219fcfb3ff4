# Completes words in an interactive zsh on a pseudo-terminal, as a user
# would with TAB, and waits for what the completion should write.
#
#   zsh -f zsh_complete.zsh FPATH_DIR SCTRACE_DIR
zmodload zsh/zpty || exit 77
fpath_dir=$1
sctrace_dir=$2
zpty shell "TERM=dumb PATH=${(q)sctrace_dir}:\$PATH zsh -f -i"
zpty -w shell "PS1='> '; fpath=(${(q)fpath_dir} \$fpath); autoload -U compinit; compinit -u -D"
# Ctrl-X shows the line being edited as it is, whatever the terminal drew.
zpty -w shell 'show-buffer() { zle -M "BUFFER<$BUFFER>" }; zle -N show-buffer; bindkey "^X" show-buffer'

# Waits (at most 30 s, for a loaded machine) until the terminal shows $1.
expect() {
  local out= chunk
  local -i i
  for (( i = 0; i < 300; i++ )); do
    while zpty -r -t shell chunk; do out+=$chunk; done
    [[ $out == *"$1"* ]] && return 0
    sleep 0.1
  done
  print -r -- "zsh: typing '$2<TAB>' did not show '$1'; the terminal showed: ${out//$'\r'/}" >&2
  return 1
}

# Types $1 and TAB: the line must become $2.
complete_line() {
  zpty -w -n shell $'\C-u'"$1"$'\t\C-x'
  expect "BUFFER<$2>" "$1" || exit 1
}
# Types $1 and TAB: the choices listed must include $2.
complete_list() {
  zpty -w -n shell $'\C-u'"$1"$'\t'
  expect "$2" "$1" || exit 1
}

complete_line 'sctrace --hang' 'sctrace --hang-after '
complete_line 'sctrace rules ex' 'sctrace rules explain '
complete_line 'sctrace rules explain double' 'sctrace rules explain double-close '
complete_line 'sctrace diff --format j' 'sctrace diff --format json '
complete_list 'sctrace ru' 'rules  -- List'
zpty -d shell
