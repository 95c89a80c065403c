import re, collections, sys
ev=[]
for line in open(sys.argv[1]):
    m=re.match(r'\s*\[(\d+)\]\s+([\d.]+): prev_comm=(.*?) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)', line)
    if m: ev.append((int(m.group(1)), float(m.group(2)), m.group(3).strip(), int(m.group(4)), m.group(5), m.group(6).strip(), int(m.group(7))))
first={}; last={}
for cpu,t,pc,pp,st,nc,np in ev:
    for c,p in ((pc,pp),(nc,np)):
        if c.startswith('StructuredLog w'):
            first.setdefault(p,t); last[p]=t
pipes=sorted((first[p],last[p]) for p in first if last[p]-first[p] > 0.02)[5:]
c=collections.Counter(); total=0
idle=0; cur={}
for cpu,t,pc,pp,st,nc,np in ev:
    if not any(a<=t<b for a,b in pipes): 
        cur.pop(cpu, None); continue
    key=pc if pc.startswith('StructuredLog') else pc.split('/')[0].split(' ')[0]
    c[(key,st)]+=1
    if nc.startswith('swapper'): cur[cpu]=t
    elif pc.startswith('swapper') and cpu in cur: idle+=t-cur.pop(cpu)
dur=sum(b-a for a,b in pipes)
print('pipelines %d, %.0f ms; idle cores %.3f' % (len(pipes), dur*1000, idle/dur))
for (k,st),v in c.most_common(10): print('  %-18s %-3s %7.0f /s' % (k,st,v/dur))

# Where the idle time went: by 5 ms of a pipeline, idle cores, and how long a preempted thread then waited while the
# other core idled (the two-core test machine), by thread.
idle=collections.defaultdict(list); cur={}
for cpu,t,pc,pp,st,nc,np in ev:
    if nc.startswith('swapper'): cur[cpu]=t
    elif pc.startswith('swapper') and cpu in cur: idle[cpu].append((cur.pop(cpu), t))
out={}; B=5e-3
wait_idle=collections.Counter(); nb=collections.Counter(); idl=collections.Counter(); who=collections.Counter()
for cpu,t,pc,pp,st,nc,np in ev:
    if np in out:
        t0,c0,comm=out.pop(np); other=1-c0; ov=0
        for s,e in idle[other]:
            if e<t0: continue
            if s>t: break
            ov+=min(e,t)-max(s,t0)
        for a,b in pipes:
            if a<=t0<b: wait_idle[int((t0-a)/B)]+=ov; who[comm]+=ov
    if st.startswith('R') and not pc.startswith('swapper'): out[pp]=(t,cpu,pc)
for c in idle:
    for s,e in idle[c]:
        for a,b in pipes:
            if a<=s<b: idl[int((s-a)/B)]+=e-s
for a,b in pipes:
    for k in range(int((b-a)/B)+1): nb[k]+=1
for k in range(9):
    print('%2d-%2d ms: idle %.3f cores, of which a runnable thread waited on the other core %.3f' % (k*5,k*5+5, idl[k]/nb[k]/B, wait_idle[k]/nb[k]/B))
tot=sum(who.values())
print('waiting while the other core idled, by thread:', ', '.join('%s %.0f%%' % (k, 100*v/tot) for k,v in who.most_common(5)))
