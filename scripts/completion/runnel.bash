# bash completion for runnel. Install: source this file, or copy it to
# /usr/share/bash-completion/completions/runnel (cmake --install does).
_runnel()
{
    local cur prev words cword
    _init_completion 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        cword=$COMP_CWORD
        words=("${COMP_WORDS[@]}")
    }
    local commands="validate list plan run expr report comment check cml publish hub hf actions artifacts"
    local events="push pull_request pull_request_target workflow_dispatch workflow_call workflow_run schedule"
    local shared="-W --workflows -j --job -e --eventpath -C --directory --input --matrix -P --platform --actor --secret --secret-file --var --var-file --env --env-file --base --before --no-rc --strict"
    if [ "$cword" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --version --help" -- "$cur"))
        return
    fi
    case "$prev" in
        -W | --workflows | -e | --eventpath | --secret-file | --var-file | --env-file | --predictions | --baseline | --out | --run-dir | --rw)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        -C | --directory)
            COMPREPLY=($(compgen -d -- "$cur"))
            return
            ;;
        --sandbox)
            COMPREPLY=($(compgen -W "strict default none" -- "$cur"))
            return
            ;;
        --network)
            COMPREPLY=($(compgen -W "host none" -- "$cur"))
            return
            ;;
        --repo-type)
            COMPREPLY=($(compgen -W "model dataset space" -- "$cur"))
            return
            ;;
    esac
    case "${words[1]}" in
        run)
            COMPREPLY=($(compgen -W "$events $shared -n --dryrun --jobs --sandbox --network --bind --run-dir --rw --chain --json" -- "$cur")) ;;
        plan)
            COMPREPLY=($(compgen -W "$events $shared --json --dot --context -v" -- "$cur")) ;;
        list)
            COMPREPLY=($(compgen -W "$events $shared --json" -- "$cur")) ;;
        validate)
            COMPREPLY=($(compgen -f -W "--template-json --case --strict -q" -- "$cur")) ;;
        expr)
            COMPREPLY=($(compgen -W "--context --jsonl --workspace --status" -- "$cur")) ;;
        report)
            COMPREPLY=($(compgen -W "--predictions --out --true-col --pred-col --score-col --baseline --title --delimiter" -- "$cur")) ;;
        comment)
            COMPREPLY=($(compgen -W "create update --target --watermark-title --rm-watermark --token --publish-branch" -- "$cur")) ;;
        publish)
            COMPREPLY=($(compgen -W "--branch --path --message --tag --remote --orphan --force-add --token --list --get --out" -- "$cur")) ;;
        hub)
            COMPREPLY=($(compgen -W "upload whoami runtime restart --repo-type --revision --commit-message --include --exclude --delete --create --space-sdk --tag --endpoint --token" -- "$cur")) ;;
        hf)
            COMPREPLY=($(compgen -W "upload auth login logout whoami --repo-type --token" -- "$cur")) ;;
        actions)
            COMPREPLY=($(compgen -W "pull --offline -W" -- "$cur")) ;;
        artifacts)
            COMPREPLY=($(compgen -W "list extract --run-dir" -- "$cur")) ;;
        *)
            COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}
complete -F _runnel runnel
