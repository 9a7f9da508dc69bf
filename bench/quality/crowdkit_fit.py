#!/usr/bin/python3
# crowdkit_fit.py METHOD CSV [TRUTH] — times crowd-kit's fit of one method on
# a question,worker,answer CSV and prints one line:
#   crowdkit METHOD read_s fit_s accuracy peak_rss_mib
# Run with Debian's python3 (python3-pandas, python3-sklearn, python3-scipy,
# python3-tqdm, python3-nltk) and PYTHONPATH at a copy of Toloka/crowd-kit's
# source (bench/quality/crowdkit.sh sets it from CROWDKIT_SRC).
import resource, sys, time
import pandas as pd
from crowdkit.aggregation import DawidSkene, GLAD, MACE, MajorityVote

method, path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
df = pd.read_csv(path).rename(columns={'question': 'task', 'answer': 'label'})
t1, c1 = time.perf_counter(), time.process_time()
# crowd-kit's defaults: DS 100 iterations or a loss change < 1e-5; GLAD the
# same with a conjugate-gradient M-step; MACE 10 restarts of 50 rounds.
model = {'ds': DawidSkene, 'glad': GLAD, 'mace': MACE, 'mv': MajorityVote}[method]()
labels = model.fit_predict(df)
t2, c2 = time.perf_counter(), time.process_time()
acc = float('nan')
if len(sys.argv) > 3:
    truth = pd.read_csv(sys.argv[3]).set_index('question')['truth']
    truth = truth[truth.index.isin(labels.index)]  # ROWS may keep only some questions
    acc = float((labels.reindex(truth.index) == truth).mean())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f'crowdkit {method} read {t1 - t0:.3f} fit {t2 - t1:.3f} cpu {c2 - c1:.3f} accuracy {acc:.5f} rss_mib {rss:.0f}')
