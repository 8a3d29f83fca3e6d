from nuanxin.core.periodic import DailyAt, Every, Job
from nuanxin.core.tests.periodic_app import tasks

JOBS = [
    Job("testapp.every_quarter", tasks.note_call, Every(15)),
    Job("testapp.daily", tasks.note_other_call, DailyAt(9)),
]
