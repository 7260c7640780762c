#!/usr/bin/env bash
# refs, rev-parse, ls, cat, log, show and config print exactly what the
# reference prints (stdout, stderr, exit status) for the same command on the
# same repository, in every repo mode, errors included; the commands that
# change a repository (refs --create/--delete/--alias, config set/unset)
# leave the same refs and the same config file behind.
. "$(dirname "$0")/lib.sh"
require_cmd getfattr setfattr python3
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"
export LC_ALL=C.UTF-8 TZ=UTC

# Both tools see argv[0] = "ostree", so usage lines ("ostree ls [OPTION…]")
# and GLib's prgname match.
ref() { (exec -a ostree "$REF_OSTREE" "$@"); }
ours() { (exec -a ostree "$OT_OSTREE" "$@"); }

# GLib-CRITICAL lines carry a pid and a clock time.
normalize() { sed -E 's/^\(([^:]*):[0-9]+\): GLib-CRITICAL \*\*: [0-9:.]+:/(\1:PID): GLib-CRITICAL **: TIME:/'; }

# run_both REPO_REF REPO_OURS ARGS...: runs the command with each tool on its
# repository; stdout, stderr and status land in $TEST_TMP/{ref,ours}.{out,err,rc}.
run_both() {
  local rref=$1 rours=$2 rc tool repo
  shift 2
  for tool in ref ours; do
    [[ $tool == ref ]] && repo=$rref || repo=$rours
    rc=0
    if [[ -n $repo ]]; then
      $tool --repo="$repo" "$@" >"$TEST_TMP/$tool.out" 2>"$TEST_TMP/$tool.err.raw" || rc=$?
    else
      $tool "$@" >"$TEST_TMP/$tool.out" 2>"$TEST_TMP/$tool.err.raw" || rc=$?
    fi
    echo "$rc" >"$TEST_TMP/$tool.rc"
    normalize <"$TEST_TMP/$tool.err.raw" >"$TEST_TMP/$tool.err"
  done
  (($(cat "$TEST_TMP/ours.rc") < 128)) || fail "crashed: ostree $*"
}

# compare_outputs ARGS...: fails naming the command when any output differs.
compare_outputs() {
  local f
  for f in out err rc; do
    if ! cmp -s "$TEST_TMP/ref.$f" "$TEST_TMP/ours.$f"; then
      diff -u "$TEST_TMP/ref.$f" "$TEST_TMP/ours.$f" | head -n 30 >&2 || true
      fail "$f differs for: ostree $*"
    fi
  done
}

# same ARGS...: a read-only command prints the same with both tools.
same() {
  run_both "" "" "$@"
  compare_outputs "$@"
  _test_check_passed
}

# refs_state REPO: every entry under refs/ with its type, link target and content.
refs_state() {
  (cd "$1" && find refs -printf '%y %p %l\n' | LC_ALL=C sort &&
    find refs -type f | LC_ALL=C sort | while read -r f; do echo "$f: $(cat "$f")"; done)
}

# same_change REPO ARGS...: a command that changes REPO prints the same with
# both tools, run on two copies, and leaves the same refs and config.
same_change() {
  local repo=$1
  shift
  rm -rf change-ref change-ours
  cp -a "$repo" change-ref
  cp -a "$repo" change-ours
  run_both change-ref change-ours "$@"
  compare_outputs "$@"
  diff -u <(refs_state change-ref) <(refs_state change-ours) >&2 || fail "refs differ after: ostree $*"
  cmp -s change-ref/config change-ours/config || {
    diff -u change-ref/config change-ours/config >&2 || true
    fail "config differs after: ostree $*"
  }
  _test_check_passed
}

# --- trees -----------------------------------------------------------------------------

"$OT_SRC/tests/data/make-edge-tree.sh" edge 2>/dev/null

mkdir -p small/a small/zdir small/d/e
echo hello >small/hello.txt
echo b >small/b
echo a1 >small/a/x
echo top >small/top
ln -s hello.txt small/link
ln -s ../top small/d/up
ln -s /top small/d/abs
ln -s nowhere small/d/dangling
ln -s e small/d/todir
ln -s e/f small/d/deep
ln -s loop2 small/d/loop1
ln -s loop1 small/d/loop2
echo inner >small/d/e/f
setfattr -n user.foo -v bar small/b 2>/dev/null || true

# --- repositories, built by the reference ----------------------------------------------

ts=(--timestamp=2020-01-01T00:00:00Z)
for mode in archive bare bare-user bare-user-only; do
  r=repo-$mode
  ref --repo=$r init --mode=$mode
  ref --repo=$r commit -b main "${ts[@]}" -s "first subject" --body=$'body line1\nline2' \
    --add-metadata-string=version=1.0 small >/dev/null
  ref --repo=$r commit -b main --timestamp=2020-01-02T00:00:00Z -s second small >/dev/null
  ref --repo=$r commit -b edge "${ts[@]}" -s edge edge >/dev/null
  ref --repo=$r commit -b meta "${ts[@]}" -s $'multi\nline subject' \
    --add-metadata-string=version=2.0 --add-metadata=num=42 --add-metadata=arr="['a','b']" \
    --add-detached-metadata-string=dkey=dval --generate-sizes small >/dev/null
  ref --repo=$r commit -b nosubj "${ts[@]}" -s "" --body=$'b1\n\nb3\n' small >/dev/null
  ref --repo=$r commit -b nosubj "${ts[@]}" -s $'s1\n' --body=$'\n' --add-metadata=version=3 small >/dev/null
  ref --repo=$r commit -b nosubj "${ts[@]}" -s $'x\n\n  y' --add-metadata-string=version= small >/dev/null
done

# --- help and option errors --------------------------------------------------------------

for cmd in refs rev-parse ls cat log show config; do
  same $cmd --help
  same $cmd --bogus
  same --repo=nonexistent $cmd x
done

# --- rev-parse ----------------------------------------------------------------------------

cd repo-archive
main=$(ref rev-parse main)
first=$(ref rev-parse main^)
for rev in main main^ main^^ main^2 main^x "${main:0:4}" "${main:0:1}" "" z nosuch bad..ref a:b \
  origin:main /main main/ x: :x "$main" "${main^^}" 0000000000000000000000000000000000000000000000000000000000000000; do
  same rev-parse "$rev"
done
same rev-parse
same rev-parse main main^ nosuch main
same rev-parse -S
same rev-parse -S main
ref refs --create=dir/ref main
same rev-parse dir
same rev-parse dir/ref
echo garbage >refs/heads/garbage
same rev-parse garbage
rm refs/heads/garbage
cd ..
ref --repo=single init --mode=archive
same --repo=single rev-parse -S
ref --repo=single commit -b only "${ts[@]}" -s only small >/dev/null
same --repo=single rev-parse -S

# --- refs: listing -------------------------------------------------------------------------

r=refs-repo
ref --repo=$r init --mode=archive
c=$(ref --repo=$r commit -b main "${ts[@]}" -s s small)
ref --repo=$r commit -b main --timestamp=2020-01-02T00:00:00Z -s s2 small >/dev/null
for n in a/b a/c/d foo exampleos/x86_64/stable exampleos/x86_64/testing; do ref --repo=$r refs main --create=$n; done
mkdir -p $r/refs/remotes/origin/sub $r/refs/mirrors/org.example.C $r/refs/heads/emptyd/sub
echo "$c" >$r/refs/remotes/origin/main
echo "$c" >$r/refs/remotes/origin/sub/x
echo "$c" >$r/refs/mirrors/org.example.C/mref
ref --repo=$r refs -A --create=al main
ref --repo=$r refs -A --create=x/y a/c/d

for prefix in "" a a/b origin: origin:. origin:sub origin nosuch a/ a/. bad.. x org.example.C; do
  for opt in "" --list -A -c; do
    # shellcheck disable=SC2086
    same --repo=$r refs $opt $prefix
  done
done
same --repo=$r refs a foo origin:
# A bare name falls back to "remote/ref", then to any remote having it;
# mirrors are not looked at.
for rev in sub/x origin/sub/x origin:sub/x origin/main org.example.C/mref mref al x/y; do
  same --repo=$r rev-parse "$rev"
done
same --repo=$r refs --list --alias a

# Hundreds of refs, in nested directories and under remotes: upstream prints
# them in its hash table's order, through several table resizes.
seed=${OT_TEST_SEED:-$RANDOM}
_test_say "ref names seed $seed"
ref --repo=many init --mode=archive
c=$(ref --repo=many commit -b main "${ts[@]}" -s s small)
python3 - "$seed" "$c" <<'EOF'
import os, random, sys
random.seed(int(sys.argv[1]))
for i in range(700):
    parts = ['x' + ''.join(random.choice('abcdefghijklmnopqrstuvwxyz0123456789_-.')
                           for _ in range(random.randint(1, 12)))
             for _ in range(random.randint(1, 3))]
    base = 'many/refs/heads' if i % 5 else 'many/refs/remotes/r%d' % (i % 3)
    path = os.path.join(base, *parts)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.isdir(path):
            with open(path, 'w') as f:
                f.write(sys.argv[2] + '\n')
    except (NotADirectoryError, IsADirectoryError, FileExistsError):
        pass
EOF
for args in "" --list "r0:" "--list r1:" xa; do
  # shellcheck disable=SC2086
  same --repo=many refs $args
done

# --- refs: changes ---------------------------------------------------------------------------

for args in "--create=foo main" "--create=foo --force main^" "--create=new" "--create=new main a/b" \
  "--create=new nosuch" "--create=bad/ main" "--create=a main" "--create=a/b/c main" \
  "--create=origin:new main" "--create=nor:new main" "--create=emptyd main" "--create=${c:0:4} main" \
  "-A --create=al2 main" "-A --create=al foo" "--create=al main" "--create=al --force main" \
  "-A --create=al2 nosuchref" "-A --create=origin:al main" "-A --create=al3 origin:main" \
  "-A --create=new/deep/alias a/b" "--create=exampleos/x86_64 main" \
  "--delete" "--delete nosuch" "--delete a" "--delete origin:" "--delete x/y" "--delete al" \
  "--delete main" "--delete origin:main" "--delete foo exampleos" "-A --delete al" \
  "--create=new --delete main" "--list --create=new2 main" \
  "-c --create=org.example.D:newref main" "-c --create=nocoll main" "-c --delete org.example.C" \
  "-c --create=org.example.C:mref main" "--create=héllo/ünï½ main" "--create=a–b main"; do
  # shellcheck disable=SC2086
  same_change $r refs $args
done

# Repositories missing refs/remotes or refs/heads fail the way upstream's do.
for gone in remotes heads; do
  cp -a $r broken-$gone
  rm -rf broken-$gone/refs/$gone broken-$gone/refs/mirrors
  same --repo=broken-$gone refs
  same --repo=broken-$gone refs -c
  same --repo=broken-$gone rev-parse main
  for args in "--delete main" "--create=x origin:main" "-A --create=y main"; do
    # shellcheck disable=SC2086
    same_change broken-$gone refs $args
  done
done

# --- ls and cat --------------------------------------------------------------------------------

for mode in archive bare bare-user bare-user-only; do
  cd repo-$mode
  for opts in "" -R -RC -RX -RCX -d "-R --nul-filenames-only"; do
    # shellcheck disable=SC2086
    same ls $opts main
    # shellcheck disable=SC2086
    same ls $opts edge
  done
  for path in / a /a a/ a/x a/x/ a/x/y b/ ./b //b a//x /a/./x "" . a/../a zdir /zdir/ zdir/nope nope \
    link d d/up d/e; do
    same ls main "$path"
    same ls -d main "$path"
    same ls -C main "$path"
  done
  same ls -RX main / d a
  same ls main hello.txt nope b
  for path in hello.txt /b a/x link d/up d/abs d/dangling d/todir d/deep d/e/f d a nope a/x/y b/ ./b; do
    same cat main "$path"
  done
  same cat main hello.txt d/deep b nope hello.txt
  same cat main
  same cat
  same cat nosuch x
  same ls
  same ls nosuch
  cd ..
done

# --- log and show ----------------------------------------------------------------------------

for mode in archive bare-user; do
  cd repo-$mode
  for rev in main meta nosubj edge; do
    same log "$rev"
    same log --raw "$rev"
    for opts in "" --raw -B "-B --raw" --print-related --print-metadata-key=version --print-metadata-key=num \
      --print-metadata-key=arr --print-metadata-key=nokey "-B --print-metadata-key=num" \
      --print-detached-metadata-key=dkey --print-detached-metadata-key=nokey --print-sizes \
      "--print-sizes --print-related" "--print-sizes --print-metadata-key=version"; do
      # shellcheck disable=SC2086
      same show $opts "$rev"
    done
  done
  same log
  same log nosuch
  same show
  same show nosuch
  same show "$(ref rev-parse main | cut -c1-5)"
  # Full checksums of every object type, and of nothing.
  tree=$(ref ls -C main / | awk 'NR==1 {print $5}')
  dirmeta=$(ref ls -C main / | awk 'NR==1 {print $6}')
  file=$(ref ls -C main /hello.txt | awk '{print $5}')
  link=$(ref ls -C main /link | awk '{print $5}')
  xfile=$(ref ls -C main /b | awk '{print $5}')
  for obj in "$tree" "$dirmeta" "$file" "$link" "$xfile" 0000000000000000000000000000000000000000000000000000000000000000; do
    same show "$obj"
    same show --raw "$obj"
    same show -B "$obj"
  done
  dirmeta_path=objects/${dirmeta:0:2}/${dirmeta:2}.dirmeta
  same show "--print-variant-type=(uuua(ayay))" "$dirmeta_path"
  same show -B "--print-variant-type=(uuua(ayay))" "$dirmeta_path"
  same show --print-variant-type=s nofile
  cd ..
done

# A shallow history: log stops at the first missing parent.
cp -a repo-archive shallow
gone=$(ref --repo=shallow rev-parse nosubj^^)
rm "shallow/objects/${gone:0:2}/${gone:2}.commit"
same --repo=shallow log nosubj
same --repo=shallow log nosubj^
same --repo=shallow show nosubj^^
same --repo=shallow show nosubj^^^
same --repo=shallow ls nosubj^^
same --repo=shallow show --print-sizes nosubj^^
# A missing dirtree.
root_tree=$(ref --repo=shallow ls -C main / | awk 'NR==1 {print $5}')
rm "shallow/objects/${root_tree:0:2}/${root_tree:2}.dirtree"
same --repo=shallow ls main
same --repo=shallow cat main hello.txt

# Missing content objects, in an archive and a bare repository.
for mode in archive bare; do
  cp -a repo-$mode nofile-$mode
  obj=$(ref --repo=nofile-$mode ls -C main /hello.txt | awk '{print $5}')
  rm "nofile-$mode/objects/${obj:0:2}/${obj:2}".file*
  for args in "ls main" "ls -R main" "ls main hello.txt" "ls --nul-filenames-only -R main" "cat main hello.txt" \
    "cat main link" "show $obj"; do
    # shellcheck disable=SC2086
    same --repo=nofile-$mode $args
  done
done

# --- config --------------------------------------------------------------------------------------

cfg=config-repo
ref --repo=$cfg init --mode=archive
printf '[core]\nrepo_version = 1\n# comment\nmode=archive-z2\n\n\n[x]\n  k = v  \nesc=a\\qb\\sc\ntrail=abc\\\n[remote "origin"]\nurl=http://x\n[x]\nlate=1\n' >$cfg/config
for args in "get x.esc" "get x.k" "get x.trail" "get x.late" "get core.mode" "get core.nope" "get nodot" \
  "get nogroup.x" "get" "" "bogus" "get a.b c" "get .x" "get core." "get core.mode.x" \
  "--group=core get mode.x" "--group=g get" "--group=g get a b" "--group=g get a.b" "--group=g" "--group=g bogus"; do
  # shellcheck disable=SC2086
  same --repo=$cfg config $args
done
same --repo=$cfg config '--group=remote "origin"' get url
for args in "set x.new 1" "unset x.k" "unset x.esc" "unset x.nope" "unset nog.k" "set core.foo bar" \
  "set core.x" "set a.b c d" "unset a.b c" "unset" "unset nodot" "--group=g set k" "--group=g set k v w" \
  "--group=g unset" "--group=g unset k j" "set .x v" "set a.b=c v" "set a[b.c v" "set core.k[de] v" \
  "set core.k[d/e] v" "--group=core unset mode"; do
  # shellcheck disable=SC2086
  same_change $cfg config $args
done
same_change $cfg config set core.foo $'  two\tleading\nand \\ more'
same_change $cfg config '--group=remote "new"' set url http://example.com/repo

# --- a console that is not UTF-8 ----------------------------------------------------------

# Names and messages are converted to the locale's charset on the way out
# ("?" for what ASCII lacks, "[Invalid UTF-8]" dumps), as g_print does.
export LC_ALL=C
cd repo-archive
same ls -RCX edge
same ls --nul-filenames-only -R edge
same log meta
same --repo=../$cfg config get nogroup.x
same --repo=../$cfg config get core.nope
cd ..
export LC_ALL=C.UTF-8

# --- repositories built by our own commit, when it is there ---------------------------------------

if ours commit --help >/dev/null 2>&1; then
  for mode in archive bare-user; do
    ours --repo=own-$mode init --mode=$mode
    ref --repo=theirs-$mode init --mode=$mode
    for tool in ours ref; do
      [[ $tool == ours ]] && r=own-$mode || r=theirs-$mode
      $tool --repo=$r commit -b main "${ts[@]}" -s "first" --add-metadata-string=version=1.0 small >/dev/null
      $tool --repo=$r commit -b main --timestamp=2020-01-02T00:00:00Z -s second --body=body small >/dev/null
    done
    for cmd in "log main" "ls -RCX main" "show main" "cat main d/deep" "refs" "rev-parse main^"; do
      # shellcheck disable=SC2086
      assert_eq "$(ours --repo=own-$mode $cmd 2>&1)" "$(ref --repo=theirs-$mode $cmd 2>&1)" "$cmd on our own $mode commits"
    done
  done
else
  _test_say "our commit is not available yet: repositories built by the reference only"
fi
