# Sourced by scripts/venv.sh and scripts/test.sh: `apt_install PKG...` installs Debian/Ubuntu
# packages with apt-get when running as root, otherwise prints the command to run and exits 1.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $* with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "ASAR needs $* first. Install it and run this command again:"
    echo "  sudo apt-get install -y $*"
    exit 1
  fi
}
