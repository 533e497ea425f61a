#!/usr/bin/env python3
"""Writes Portal/Identity/CommonPasswords.txt: guessable passwords of the policy's length (12-128).

The list is built from patterns (the words and habits that top every leaked-password ranking: keyboard walks,
digit runs, words doubled or followed by years and digits), not copied from any published list.
Run it again after changing the patterns; the portal embeds the file.
"""
import itertools, os

MIN = 12
words = """password passw0rd p@ssword p@ssw0rd qwerty qwertyuiop asdfgh asdfghjkl zxcvbnm letmein welcome
admin administrator iloveyou monkey dragon football baseball basketball soccer hockey sunshine princess
starwars master shadow superman batman michael jennifer jordan trustno1 whatever freedom computer
internet secret abc123 changeme default login access hello charlie donald killer summer winter spring
autumn flower cookie cheese banana orange chocolate pokemon naruto liverpool chelsea arsenal barcelona
juventus madrid london paris berlin italia milano roma motorcycle motorbike yamaha honda ducati kawasaki
suzuki harley rideportal ride portal rider biker racing speed helmet ninja mustang ferrari porsche
samsung google apple iphone android windows linux ubuntu microsoft facebook instagram twitter
matrix hunter buster tigger thunder ginger pepper silver golden diamond family forever lovely angel
""".split()
years = [str(y) for y in range(1960, 2031)]
digit_suffixes = ["1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "0", "00", "01",
                  "11", "69", "77", "88", "99", "100", "007", "2000", "!", "1!", "123!", "!!", "?", "#1"]

out = set()

def add(p):
    if MIN <= len(p) <= 128:
        out.add(p.lower())

# Digit runs and repeats.
digits = "1234567890"
for n in range(MIN, 21):
    add((digits * 3)[:n])
    add(("0987654321" * 3)[:n])
    for d in "0123456789":
        add(d * n)
for n in range(MIN, 17):
    add("".join(str(i % 10) for i in range(1, n + 1)))
for a, b in itertools.product("0123456789", repeat=2):
    add((a + b) * 6)
# Keyboard walks.
walks = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc", "qazwsxedc", "1q2w3e4r5t6y", "q1w2e3r4t5y6",
         "zaq12wsx", "!qaz2wsx", "qwertyuiopasdfghjkl", "qwertzuiop", "azertyuiop", "1qazxsw23edc", "mnbvcxz"]
for w in walks:
    add(w)
    add(w + w)
    for s in digit_suffixes:
        add(w + s)
# Letters repeated.
for c in "abcdefghijklmnopqrstuvwxyz":
    for n in range(MIN, 17):
        add(c * n)
add("abcdefghijkl"); add("abcdefghijklmnop"); add("abcdefghijklmnopqrstuvwxyz"); add("abcabcabcabc")
# Words: doubled, with years, digits, and pairs.
for w in words:
    add(w * 2); add(w * 3)
    for s in digit_suffixes + years:
        add(w + s)
        add(s + w)
    for y in years:
        add(w + "@" + y); add(w + "_" + y)
for a, b in itertools.product(words[:40], repeat=2):
    if a != b:
        add(a + b)
# Phrases.
for p in ["iloveyouiloveyou", "letmeinletmein", "welcometothejungle", "correcthorsebatterystaple",
          "correct horse battery staple", "thequickbrownfox", "the quick brown fox", "password password",
          "my password", "mypassword123", "mysecretpassword", "changemenow123", "passwordistaken",
          "iloveyou forever", "i love you forever", "trustnoone123", "ihatemyjob123"]:
    add(p)

path = os.path.join(os.path.dirname(__file__), "..", "Portal", "Identity", "CommonPasswords.txt")
with open(path, "w", encoding="utf-8", newline="\n") as f:
    f.write("# Guessable passwords of 12 or more characters, lower case, one a line (scripts/generate-common-passwords.py).\n")
    for p in sorted(out):
        f.write(p + "\n")
print(len(out), "passwords")
