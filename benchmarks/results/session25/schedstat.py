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
