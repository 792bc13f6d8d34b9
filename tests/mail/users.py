# users.py - the test mail users: the passwd-file dovecot reads
# ("address:{PLAIN}password::::::"), as a dict for the Python helpers.
def read_users(path):
    users = {}
    with open(path) as f:
        for line in f:
            name, _, rest = line.strip().partition(":")
            if name:
                users[name] = rest.split(":")[0].replace("{PLAIN}", "")
    return users
