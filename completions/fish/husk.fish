# fish completion for husk.  Hand-written; keep in step with
# src/cli/options.def.  tests/docs-sync.sh checks that every option has a
# "complete ... -l NAME" line below, and that every option taking arguments
# has a "case --NAME" in __husk_arg_kinds echoing the table's COMPLETION words.
#
# fish's own option handling knows only one argument per option, and husk
# options take up to three, so the words before the cursor are walked here the
# way husk parses them, and each completion below is enabled by what the
# cursor is on: an option, an option's argument of some kind, or the command.

# The argument kinds of an option, one word per argument; nothing for options
# without arguments (and for unknown words).
function __husk_arg_kinds
    switch $argv[1]
        case --args
            echo fd
        case --argv0
            echo value
        case --uid
            echo uid
        case --gid
            echo gid
        case --hostname
            echo host
        case --chdir
            echo dir
        case --setenv
            echo name value
        case --unsetenv
            echo name
        case --bind --bind-try --dev-bind --dev-bind-try --ro-bind --ro-bind-try
            echo path path
        case --bind-fd --ro-bind-fd
            echo fd path
        case --remount-ro --proc --dev --tmpfs --mqueue --dir --oci
            echo path
        case --file --bind-data --ro-bind-data
            echo fd path
        case --symlink
            echo value path
        case --chmod
            echo octal path
        case --perms
            echo octal
        case --size
            echo size
        case --overlay-src
            echo dir
        case --overlay
            echo dir dir path
        case --tmp-overlay --ro-overlay
            echo path
        case --info-fd --json-status-fd --pidfd-fd --sync-fd --block-fd --userns-block-fd --userns --userns2 --pidns
            echo fd
        case --lock-file
            echo path
        case --uid-map
            echo uid uid num
        case --gid-map
            echo gid gid num
        case --cap-add --cap-drop --exec-label --file-label
            echo value
        case --seccomp --add-seccomp-fd --seccomp-fd
            echo fd
        case --landlock-ro --landlock-rw --landlock-exec
            echo path
        case --landlock-bind-tcp --landlock-connect-tcp
            echo num
        case --landlock-scope
            echo value
        case --rlimit
            echo value
        case --time-offset
            echo value num
        case --netns --mntns --utsns --ipcns --cgroupns --timens
            echo path
        case --join-pid
            echo num
        case --seccomp-profile
            echo path
        case --memory-max
            echo size
        case --pids-max --io-weight
            echo num
        case --cpu-max --net
            echo value
    end
end

# Print what the cursor is on: "option" (an option or the command name),
# "arg KIND" (an option's argument), or "command N" (the command's
# arguments; the command is the N-th word before the cursor, counting from 1).
function __husk_state
    set -l words (commandline -opc)
    set -l n (count $words)
    set -l i 2
    # husk spec ..., husk features ...: a subcommand with options of its own.
    if test $n -ge 2; and contains -- $words[2] spec features
        echo subcommand $words[2]
        return
    end
    while test $i -le $n
        set -l word $words[$i]
        if test "$word" = --
            set -l next (math $i + 1)
            if test $next -le $n
                echo command $next
            else
                echo command-name
            end
            return
        end
        set -l kinds (string split ' ' -- (__husk_arg_kinds $word))
        if set -q kinds[1]
            set -l nk (count $kinds)
            set -l left (math $n - $i)
            if test $left -lt $nk
                echo arg $kinds[(math $left + 1)]
                return
            end
            set i (math $i + 1 + $nk)
            continue
        end
        if string match -q -- '-*' $word
            set i (math $i + 1)
            continue
        end
        echo command $i
        return
    end
    echo option
end

function __husk_is
    set -l state (string split ' ' -- (__husk_state))
    test "$state[1]" = "$argv[1]"; or return 1
    if set -q argv[2]
        test "$state[2]" = "$argv[2]"; or return 1
    end
    return 0
end

# Complete the command (at the cursor, after "--") or its arguments, using the
# command's own completion.
function __husk_complete_command
    set -l state (string split ' ' -- (__husk_state))
    set -l cur (commandline -ct)
    if test "$state[1]" = command
        set -l words (commandline -opc)
        complete --do-complete=(string join ' ' -- (string escape -- $words[$state[2]..-1]) "$cur")
    else
        complete --do-complete="$cur"
    end
end

# No file names unless a state below asks for them.
complete -c husk -f

# Arguments.
complete -c husk -n '__husk_is arg path' -F
complete -c husk -n '__husk_is arg dir' -a '(__fish_complete_directories (commandline -ct))'
complete -c husk -n '__husk_is arg name' -a '(set --names --export)'

# Subcommands.
# docs-sync: subcommand begin
complete -c husk -n '__husk_is subcommand spec' -l rootless -d 'Map the caller to the user in a user namespace'
complete -c husk -n '__husk_is subcommand spec' -l bundle -x -a '(__fish_complete_directories (commandline -ct))' -d 'Bundle directory to write config.json into'
complete -c husk -n '__husk_is subcommand spec' -l user -x -d 'USER[:GROUP] from the rootfs\'s passwd and group files'
complete -c husk -n '__husk_is subcommand features' -l json -d 'Print the features as JSON'
# docs-sync: subcommand end

# The command and its arguments.
complete -c husk -n '__husk_is option; and not string match -q -- "-*" (commandline -ct)' -a '(__husk_complete_command)'
complete -c husk -n '__husk_is command-name' -a '(__husk_complete_command)'
complete -c husk -n '__husk_is command' -a '(__husk_complete_command)'

# Options: General
complete -c husk -n '__husk_is option' -l help -d 'Print a summary of the options and exit'
complete -c husk -n '__husk_is option' -l version -d 'Print the version and exit'
complete -c husk -n '__husk_is option' -l args -d 'Read NUL-separated arguments from FD'
complete -c husk -n '__husk_is option' -l argv0 -d 'Pass VALUE as the program\'s argv[0]'
complete -c husk -n '__husk_is option' -l level-prefix -d 'Start messages with a syslog severity'
complete -c husk -n '__husk_is option' -l print-plan -d 'Print the sandbox plan instead of running it'
complete -c husk -n '__husk_is option' -l print-oci -d 'Print the equivalent OCI config.json instead of running'
complete -c husk -n '__husk_is option' -l oci -r -d 'Run an OCI bundle (config.json or its directory)'
# Options: Namespaces
complete -c husk -n '__husk_is option' -l unshare-all -d 'Create every namespace supported by default'
complete -c husk -n '__husk_is option' -l share-net -d 'Keep the network namespace of the caller'
complete -c husk -n '__husk_is option' -l unshare-user -d 'Create a new user namespace'
complete -c husk -n '__husk_is option' -l unshare-user-try -d 'Create a new user namespace if possible'
complete -c husk -n '__husk_is option' -l unshare-ipc -d 'Create a new IPC namespace'
complete -c husk -n '__husk_is option' -l unshare-pid -d 'Create a new PID namespace'
complete -c husk -n '__husk_is option' -l unshare-net -d 'Create a new network namespace, loopback up'
complete -c husk -n '__husk_is option' -l unshare-uts -d 'Create a new UTS namespace'
complete -c husk -n '__husk_is option' -l unshare-cgroup -d 'Create a new cgroup namespace'
complete -c husk -n '__husk_is option' -l unshare-cgroup-try -d 'Create a new cgroup namespace if supported'
complete -c husk -n '__husk_is option' -l uid -d 'UID: user id inside the sandbox'
complete -c husk -n '__husk_is option' -l gid -d 'GID: group id inside the sandbox'
complete -c husk -n '__husk_is option' -l hostname -d 'NAME: host name inside the sandbox'
# Options: Environment
complete -c husk -n '__husk_is option' -l chdir -d 'DIR: working directory inside the sandbox'
complete -c husk -n '__husk_is option' -l clearenv -d 'Remove every environment variable'
complete -c husk -n '__husk_is option' -l setenv -d 'VAR VALUE: set an environment variable'
complete -c husk -n '__husk_is option' -l unsetenv -d 'VAR: remove an environment variable'
# Options: Filesystem
complete -c husk -n '__husk_is option' -l bind -d 'SRC DEST: bind-mount a host path, writable'
complete -c husk -n '__husk_is option' -l bind-try -d 'SRC DEST: like --bind, skipped if SRC is missing'
complete -c husk -n '__husk_is option' -l dev-bind -d 'SRC DEST: bind-mount a host path, devices usable'
complete -c husk -n '__husk_is option' -l dev-bind-try -d 'SRC DEST: like --dev-bind, skipped if SRC is missing'
complete -c husk -n '__husk_is option' -l ro-bind -d 'SRC DEST: bind-mount a host path read-only'
complete -c husk -n '__husk_is option' -l ro-bind-try -d 'SRC DEST: like --ro-bind, skipped if SRC is missing'
complete -c husk -n '__husk_is option' -l bind-fd -d 'FD DEST: bind-mount an open file descriptor'
complete -c husk -n '__husk_is option' -l ro-bind-fd -d 'FD DEST: bind-mount an open file descriptor read-only'
complete -c husk -n '__husk_is option' -l remount-ro -d 'DEST: make a mount read-only'
complete -c husk -n '__husk_is option' -l proc -d 'DEST: mount a new procfs'
complete -c husk -n '__husk_is option' -l dev -d 'DEST: mount a minimal /dev'
complete -c husk -n '__husk_is option' -l tmpfs -d 'DEST: mount a new tmpfs'
complete -c husk -n '__husk_is option' -l mqueue -d 'DEST: mount a new mqueue filesystem'
complete -c husk -n '__husk_is option' -l dir -d 'DEST: create a directory'
complete -c husk -n '__husk_is option' -l file -d 'FD DEST: create a file from FD'
complete -c husk -n '__husk_is option' -l bind-data -d 'FD DEST: bind-mount a file made from FD'
complete -c husk -n '__husk_is option' -l ro-bind-data -d 'FD DEST: read-only bind-mount of a file made from FD'
complete -c husk -n '__husk_is option' -l symlink -d 'SRC DEST: create a symbolic link with text SRC'
complete -c husk -n '__husk_is option' -l chmod -d 'OCTAL PATH: change permissions of an existing path'
complete -c husk -n '__husk_is option' -l perms -d 'OCTAL: mode of the next created file, directory or tmpfs'
complete -c husk -n '__husk_is option' -l size -d 'BYTES: size of the next tmpfs'
complete -c husk -n '__husk_is option' -l overlay-src -d 'SRC: add a lower layer for the next overlay'
complete -c husk -n '__husk_is option' -l overlay -d 'RWSRC WORKDIR DEST: overlay with a writable host upper layer'
complete -c husk -n '__husk_is option' -l tmp-overlay -d 'DEST: overlay whose changes go to a tmpfs'
complete -c husk -n '__husk_is option' -l ro-overlay -d 'DEST: read-only overlay'
# Options: Process
complete -c husk -n '__husk_is option' -l die-with-parent -d 'Kill the sandbox when its parent dies'
complete -c husk -n '__husk_is option' -l new-session -d 'Run the program in a new session'
complete -c husk -n '__husk_is option' -l as-pid-1 -d 'Run the program as pid 1 without a reaper'
# Options: Security
complete -c husk -n '__husk_is option' -l cap-add -d 'CAP: keep a capability (or ALL)'
complete -c husk -n '__husk_is option' -l cap-drop -d 'CAP: do not keep a capability (or ALL)'
complete -c husk -n '__husk_is option' -l seccomp -d 'FD: load the compiled seccomp program from FD'
complete -c husk -n '__husk_is option' -l add-seccomp-fd -d 'FD: add a compiled seccomp program from FD'
complete -c husk -n '__husk_is option' -l seccomp-fd -d 'FD: same as --add-seccomp-fd'
complete -c husk -n '__husk_is option' -l exec-label -d 'LABEL: SELinux context of the program'
complete -c husk -n '__husk_is option' -l file-label -d 'LABEL: SELinux context of new tmpfs mounts'
# Options: Landlock
complete -c husk -n '__husk_is option' -l landlock-ro -d 'PATH: Landlock: allow reading under PATH (inside)'
complete -c husk -n '__husk_is option' -l landlock-rw -d 'PATH: Landlock: allow reading and writing under PATH'
complete -c husk -n '__husk_is option' -l landlock-exec -d 'PATH: Landlock: allow reading and executing under PATH'
complete -c husk -n '__husk_is option' -l landlock-bind-tcp -d 'PORT: Landlock: allow binding TCP PORT'
complete -c husk -n '__husk_is option' -l landlock-connect-tcp -d 'PORT: Landlock: allow connecting to TCP PORT'
complete -c husk -n '__husk_is option' -l landlock-scope -d 'SCOPE: Landlock: abstract-unix or signal stays inside'
complete -c husk -n '__husk_is option' -l landlock-strict -d 'Landlock: fail when the kernel lacks a right'
# Options: Lifecycle
complete -c husk -n '__husk_is option' -l info-fd -d 'FD: write sandbox pid and namespace ids as JSON'
complete -c husk -n '__husk_is option' -l json-status-fd -d 'FD: report start, program pid, exit code as JSON lines'
complete -c husk -n '__husk_is option' -l pidfd-fd -d 'FD: send a pidfd of the program over this unix socket'
complete -c husk -n '__husk_is option' -l sync-fd -d 'FD: keep open while the sandbox runs'
complete -c husk -n '__husk_is option' -l block-fd -d 'FD: start the program once FD is readable'
complete -c husk -n '__husk_is option' -l userns-block-fd -d 'FD: caller writes the id maps; wait for FD'
complete -c husk -n '__husk_is option' -l lock-file -d 'DEST: hold a read lock on DEST inside'
complete -c husk -n '__husk_is option' -l uid-map -d 'INSIDE OUTSIDE COUNT: map a range of uids'
complete -c husk -n '__husk_is option' -l gid-map -d 'INSIDE OUTSIDE COUNT: map a range of gids'
complete -c husk -n '__husk_is option' -l userns -d 'FD: use this existing user namespace'
complete -c husk -n '__husk_is option' -l userns2 -d 'FD: switch to this user namespace after setup'
complete -c husk -n '__husk_is option' -l pidns -d 'FD: use this pid namespace, or nest a new one in it'
complete -c husk -n '__husk_is option' -l disable-userns -d 'Keep the sandbox from creating user namespaces'
complete -c husk -n '__husk_is option' -l assert-userns-disabled -d 'Fail unless user namespaces are disabled inside'
# Options: Signals, resource limits, time and joined namespaces
complete -c husk -n '__husk_is option' -l no-forward-signals -d 'Do not pass INT, TERM, HUP, ... on to the program'
complete -c husk -n '__husk_is option' -l pty -d 'Run the program on a new pseudo-terminal (needs --dev)'
complete -c husk -n '__husk_is option' -l rlimit -d 'NAME=SOFT[:HARD]: set a resource limit of the program'
complete -c husk -n '__husk_is option' -l unshare-time -d 'Create a new time namespace'
complete -c husk -n '__husk_is option' -l time-offset -d 'CLOCK SECONDS: shift monotonic or boottime'
complete -c husk -n '__husk_is option' -l netns -d 'FD|PATH: join this network namespace'
complete -c husk -n '__husk_is option' -l mntns -d 'FD|PATH: build from a copy of this mount namespace'
complete -c husk -n '__husk_is option' -l utsns -d 'FD|PATH: join this UTS namespace'
complete -c husk -n '__husk_is option' -l ipcns -d 'FD|PATH: join this IPC namespace'
complete -c husk -n '__husk_is option' -l cgroupns -d 'FD|PATH: join this cgroup namespace'
complete -c husk -n '__husk_is option' -l timens -d 'FD|PATH: join this time namespace'
complete -c husk -n '__husk_is option' -l join-pid -d 'PID: join the namespaces of process PID'
# Options: Seccomp profiles, cgroups, networking
complete -c husk -n '__husk_is option' -l seccomp-profile -d 'FILE: add an OCI-format seccomp profile (or default)'
complete -c husk -n '__husk_is option' -l memory-max -d 'BYTES: cgroup v2 memory limit (or max)'
complete -c husk -n '__husk_is option' -l pids-max -d 'N: cgroup v2 limit on processes (or max)'
complete -c husk -n '__husk_is option' -l cpu-max -d 'QUOTA[/PERIOD]: cgroup v2 CPU quota in microseconds (or max)'
complete -c husk -n '__husk_is option' -l io-weight -d 'N: cgroup v2 I/O weight, 1 to 10000'
complete -c husk -n '__husk_is option' -l net -d 'MODE: none, host or pasta[:OPTIONS]'
