/**
 * The bash completion script, made from the command table: command names, each command's
 * options (read from its --help, the one place they are all listed), the global options, and
 * pool names and range ids asked of `nebula-ipam completion pools|ranges` when --pool, --range
 * or show's argument is being completed (so they follow the config and book as they are then,
 * with the line's own --driver/--config/--store), holders after --holder, installed driver
 * names after --driver (`completion drivers`), and the values a Usage line lists for an option
 * (`--format json|csv`). Pure.
 */
export interface CompletionCommand {
  readonly name: string;
  readonly usage: string;
}

/** The options a --help offers: those on its Usage lines and those that start a line of the option list. */
function optionsIn(usage: string): string[] {
  const lines = usage.split('\n');
  const synopsis = lines.slice(0, lines.indexOf('')).join(' ');
  const listed = lines.filter((line) => /^ {2,}--[a-z]/.test(line)).map((line) => line.trim().split(/[\s,]/)[0]!);
  const found = [...synopsis.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
  return [...new Set([...found, ...listed])].filter((o) => o !== '--help').sort();
}

/** The values a command's Usage lines list for its options: `--format json|csv` gives --format [json, csv]. */
function optionValuesIn(usage: string): [string, string[]][] {
  const lines = usage.split('\n');
  const synopsis = lines.slice(0, lines.indexOf('')).join(' ');
  return [...synopsis.matchAll(/(--[a-z][a-z0-9-]*)[ =]([a-z0-9]+(?:\|[a-z0-9]+)+)\b/g)].map((m) => [
    m[1]!,
    m[2]!.split('|'),
  ]);
}

const quote = (words: readonly string[]) => words.join(' ');

export function bashCompletion(commands: readonly CompletionCommand[], globals: readonly string[]): string {
  const names = [...commands.map((c) => c.name), 'help', 'version'];
  const cases = commands.map((c) => `    ${c.name}) opts="${quote(optionsIn(c.usage))}" ;;`).join('\n');
  const values = commands
    .flatMap((c) =>
      optionValuesIn(c.usage).map(([option, words]) => `    ${c.name}:${option}) opts="${quote(words)}" ;;`),
    )
    .join('\n');
  return `# bash completion for nebula-ipam (made by \`nebula-ipam completion bash\`)
# Install: nebula-ipam completion bash > /etc/bash_completion.d/nebula-ipam
_nebula_ipam() {
  local cur prev cmd opts i
  local -a line=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      # The line's own driver, config and book are the ones asked for pools and ranges.
      --config|--store|--driver) line+=("\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}"); ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    --pool)
      COMPREPLY=($(compgen -W "$(nebula-ipam "\${line[@]}" completion pools 2>/dev/null)" -- "$cur")); return ;;
    --range)
      COMPREPLY=($(compgen -W "$(nebula-ipam "\${line[@]}" completion ranges 2>/dev/null)" -- "$cur")); return ;;
    --holder)
      COMPREPLY=($(compgen -W "opennebula operator" -- "$cur")); return ;;
    --driver)
      COMPREPLY=($(compgen -W "$(nebula-ipam completion drivers 2>/dev/null)" -- "$cur")); return ;;
    --config|--store|--from|--output|--bin)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${quote(names)} ${quote(globals)}" -- "$cur")); return
  fi
  case "$cmd:$prev" in
${values}
    *) opts="-" ;;
  esac
  if [[ "$opts" != - ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return; fi
  case "$cmd" in
${cases}
    help) opts="${quote(commands.map((c) => c.name))}" ;;
    *) opts="" ;;
  esac
  if [[ "$cmd" == range && "$prev" == range ]]; then opts="list add remove $opts"; fi
  if [[ "$cmd" == completion && "$prev" == completion ]]; then opts="bash pools ranges drivers"; fi
  if [[ "$cmd" == show && "$prev" == show ]]; then opts="$(nebula-ipam "\${line[@]}" completion ranges 2>/dev/null) $opts"; fi
  COMPREPLY=($(compgen -W "$opts ${quote(globals)}" -- "$cur"))
  [[ \${#COMPREPLY[@]} -eq 0 && "$cur" != -* ]] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}
complete -F _nebula_ipam nebula-ipam
`;
}
